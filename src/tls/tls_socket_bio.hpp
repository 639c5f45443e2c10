// An OpenSSL BIO that reads and writes a socket descriptor the way
// socket_io.cpp does: one recv() or send() per call, non-blocking by its
// flags (MSG_DONTWAIT) and, for send(), without SIGPIPE (MSG_NOSIGNAL).
// OpenSSL's own socket BIO calls write(), which raises SIGPIPE when the
// peer has gone, and blocks unless the descriptor itself is non-blocking.
// Bytes already read from the socket by somebody else (the server's wait,
// which reads into the connection's inbox) are staged, and read first.
#pragma once

#include <openssl/bio.h>

#include <cstddef>

namespace tcpecho {

struct SocketSource {
  int descriptor = -1;
  const char* staged = nullptr;  // read from the socket, not yet by OpenSSL
  std::size_t staged_size = 0;
};

// A new BIO over `source`, which must outlive it; it does not close the
// descriptor.
BIO* new_socket_bio(SocketSource& source);

}  // namespace tcpecho

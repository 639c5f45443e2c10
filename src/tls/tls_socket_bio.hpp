// An OpenSSL BIO that reads and writes a socket descriptor the way
// socket_io.cpp does: one recv() or send() per call, non-blocking by its
// flags (MSG_DONTWAIT) and, for send(), without SIGPIPE (MSG_NOSIGNAL).
// OpenSSL's own socket BIO calls write(), which raises SIGPIPE when the
// peer has gone, and blocks unless the descriptor itself is non-blocking.
#pragma once

#include <openssl/bio.h>

namespace tcpecho {

// A new BIO over `descriptor`, which it does not close.
BIO* new_socket_bio(int descriptor);

}  // namespace tcpecho

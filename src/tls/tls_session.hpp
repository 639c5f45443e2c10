// TLS over one socket with OpenSSL: the TlsLayer that tls.hpp promises.
//
// Why not asio::ssl::stream? It gives every connection two buffers of a
// whole TLS record (17 KiB each) for as long as it is open, and copies each
// byte through them; a quiet connection would hold 34 KiB. Here OpenSSL
// reads and writes the socket itself, one non-blocking system call at a
// time (tls_socket_bio.cpp), and with SSL_MODE_RELEASE_BUFFERS lets go of
// its record buffers whenever a connection has nothing in flight. The
// settings come from an asio::ssl::context (tls_server.cpp, tls_client.cpp).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "tls/tls.hpp"
#include "tls/tls_socket_bio.hpp"

namespace tcpecho {

class TlsSession final : public TlsLayer {
 public:
  // Owns `ssl`, already configured for its side, and reads and writes the
  // socket's descriptor.
  TlsSession(SSL* ssl, Socket& socket);

  void handshake_step(asio::error_code& error) override;
  std::size_t read_now(asio::mutable_buffer buffer, asio::error_code& error) override;
  std::size_t send_now(asio::const_buffer bytes, asio::error_code& error) override;
  void stage(asio::const_buffer received) override;
  bool has_pending() const override;
  bool wants_write() const override { return wants_write_; }
  void close_notify() override;
  TlsFacts facts() const override;

  SSL* native_handle() const { return ssl_.get(); }

 private:
  // What SSL_get_error() says of a call that returned `result`, as an error
  // code (would_block, eof, tls_truncated(), a verification failure...).
  asio::error_code error_of(int result);

  struct Free {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };
  SocketSource source_;  // what the BIO reads: before ssl_, which frees the BIO
  std::unique_ptr<SSL, Free> ssl_;
  bool wants_write_ = false;
  bool failed_ = false;  // a fatal error: OpenSSL forbids SSL_shutdown() after one
};

// Why a peer's certificate failed verification, as OpenSSL says it
// ("certificate has expired", "hostname mismatch", ...), or that it did not
// match the pinned fingerprint.
const asio::error_category& verification_category();
inline constexpr int fingerprint_mismatch = -1;

// A client's handshake: the server asked for a certificate and was given
// none. facts() says so.
void mark_certificate_owed(SSL* ssl);

// "AB:CD:...", as `openssl x509 -fingerprint -sha256` prints it.
std::string sha256_fingerprint(X509* certificate);

}  // namespace tcpecho

// The seam between tcpecho and its TLS library: what the server, the client
// and bench's loads ask of TLS, without OpenSSL's headers. tls_session.cpp,
// tls_server.cpp and tls_client.cpp implement it with OpenSSL; a build
// without OpenSSL (-Dtls=disabled) compiles tls_disabled.cpp instead, whose
// factories refuse.
//
// A TlsLayer is TLS over one connected socket, driven reactor style like the
// plain socket (socket_io.hpp): every call makes only non-blocking system
// calls and says would_block when the socket must become ready first;
// link.cpp does the waiting, once for both kinds of connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "config/tls_config.hpp"
#include "net/stream.hpp"
#include "tls/tls_facts.hpp"

namespace tcpecho {

// A TLS stream that ended without close_notify: the peer closed the socket
// before saying it had sent everything (or somebody on the way closed it).
class TruncationCategory final : public asio::error_category {
 public:
  const char* name() const noexcept override { return "tls"; }
  std::string message(int) const override { return "closed without TLS close_notify"; }
};
inline asio::error_code tls_truncated() {
  static const TruncationCategory category;
  return {1, category};
}

class TlsLayer {
 public:
  virtual ~TlsLayer() = default;

  // One step of the handshake: done (no error), would_block (wait, see
  // wants_write()), or the reason it failed, verification failures by kind.
  virtual void handshake_step(asio::error_code& error) = 0;
  // As read_now() on a socket: would_block when there is nothing yet, eof
  // after the peer's close_notify, tls_truncated() for a close without one.
  virtual std::size_t read_now(asio::mutable_buffer buffer, asio::error_code& error) = 0;
  // As send_now() on a socket: the bytes encrypted and sent, nearly always
  // all of them; none, and no error, when the socket's buffer is full.
  virtual std::size_t send_now(asio::const_buffer bytes, asio::error_code& error) = 0;
  // Bytes read from the socket by the caller (a wait that reads): the next
  // reads take them before the socket's. They must stay where they are
  // until has_pending() is false.
  virtual void stage(asio::const_buffer received) = 0;
  // Bytes staged, already decrypted, or read from the socket and not yet
  // decrypted: a read needs no wait for them.
  virtual bool has_pending() const = 0;
  // What the last would_block waits for: room to write (a handshake or a
  // record half sent) rather than bytes to read.
  virtual bool wants_write() const = 0;
  // Sends close_notify, without waiting: the end of what this side writes.
  virtual void close_notify() = 0;
  // After the handshake.
  virtual TlsFacts facts() const = 0;
};

// What `serve --tls` shares between its threads: the certificate and the
// settings every connection starts from.
class TlsServer {
 public:
  virtual ~TlsServer() = default;
  virtual std::unique_ptr<TlsLayer> accept(Socket& socket) = 0;
  // The line for stderr at start: which certificate, and its fingerprint.
  virtual std::string announcement() const = 0;
};

// What `send --tls` and `bench --tls` connect with: trust, pin, client
// certificate, and with resume, the last session the server gave.
class TlsClient {
 public:
  virtual ~TlsClient() = default;
  // `host` is what the server must prove to be (and the SNI, for a name).
  virtual std::unique_ptr<TlsLayer> connect(Socket& socket, const std::string& host) = 0;
  // Lines for stderr before connecting: --tls-insecure says what it skips.
  virtual std::string warning() const = 0;
};

// Read the certificate files, or make a temporary certificate for
// `endpoints`. Throw StartupError when the files do not do.
std::unique_ptr<TlsServer> make_tls_server(const TlsServerOptions& options,
                                           const std::vector<Endpoint>& endpoints);
std::unique_ptr<TlsClient> make_tls_client(const TlsClientOptions& options);

// The TLS library's version, as metrics name it ("3.0.17"); "none" in a
// build without TLS.
std::string tls_library_version();

}  // namespace tcpecho

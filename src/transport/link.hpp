// A connection's byte stream as the server, the client and bench's loads use
// it: a socket, with TLS over it when the connection has a TlsLayer. Each
// component is written once over these functions; only they ask which kind
// of connection it is. They read and write as socket_io.hpp says (wait for
// readiness, then one non-blocking call), TLS included.
#pragma once

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "net/socket_io.hpp"
#include "tls/tls.hpp"

namespace tcpecho {

struct Link {
  Socket socket;
  std::unique_ptr<TlsLayer> tls;  // none: plain
};

// TLS: runs the handshake to its end or its failure. Plain: nothing to do.
awaitable<asio::error_code> handshake(Link& link);

std::size_t read_now(Link& link, asio::mutable_buffer buffer, asio::error_code& error);
// TLS: a record read whole holds more than the last read took.
inline bool has_pending(const Link& link) { return link.tls && link.tls->has_pending(); }
awaitable<std::tuple<asio::error_code, std::size_t>> read_when_ready(Link& link,
                                                                     asio::mutable_buffer buffer);
// Fills `buffer` whole, or fails (eof if the peer closed first).
awaitable<std::tuple<asio::error_code, std::size_t>> read_exactly(Link& link,
                                                                  asio::mutable_buffer buffer);
// read_now(), and read_when_ready() when there was nothing yet.
awaitable<std::tuple<asio::error_code, std::size_t>> read_some(Link& link,
                                                               asio::mutable_buffer buffer);

// `flags` apply to a plain socket only: TLS sends records, not segments.
std::size_t send_now(Link& link, asio::const_buffer bytes, asio::error_code& error,
                     Socket::message_flags flags = 0);
awaitable<std::tuple<asio::error_code, std::size_t>> send_rest(Link& link,
                                                               asio::const_buffer bytes,
                                                               std::size_t sent,
                                                               std::vector<char>& kept);
// All of `bytes`, waiting for room as long as it takes: for clients, whose
// bytes stay put until they are out.
awaitable<std::tuple<asio::error_code, std::size_t>> write_all(Link& link,
                                                               asio::const_buffer bytes);

// Reads until the peer's end (eof: success) or an error, at most `limit`
// bytes (more: message_size).
awaitable<asio::error_code> read_to_end(Link& link, std::string& bytes, std::size_t limit);

// The end of what this side sends: TLS's close_notify, then the socket's
// half-close (FIN), so that both kinds of peer see the end.
void shutdown_send(Link& link);

}  // namespace tcpecho

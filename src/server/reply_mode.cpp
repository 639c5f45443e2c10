// Reply mode, the seed's exchange: read the message, print it, send the
// reply, close; and, for a client that has not ended its side, the
// lingering read that keeps the reply from being reset.
#include <sys/socket.h>

#include "server/server.hpp"

namespace tcpecho {

// The seed's loop body: the message is --length bytes, or what arrives before
// the client ends its side.
awaitable<void> Server::exchange(Connection connection, const Listener& listener) {
  if (!co_await begin(connection, listener)) co_return;
  Link& link = connection.link;
  std::string message;
  const auto [end, size] = co_await read_up_to(link, message, config_.message_length);
  if (end && end != asio::error::eof) {
    report(
        events::ExchangeFailed{connection, events::ExchangeFailed::Stage::reading, end, message});
    co_return;
  }
  // MSG_MORE: the end of the stream, which shutdown_send() sends next, goes
  // in the same segment as the reply.
  auto [error, sent] = co_await write_all(link, asio::buffer(config_.reply), MSG_MORE);
  if (error) {
    report(events::ExchangeFailed{connection, events::ExchangeFailed::Stage::replying, error,
                                  message});
    co_return;
  }
  shutdown_send(link);
  report(events::Answered{connection, message, end == asio::error::eof});
  connection.settle();
  if (end == asio::error::eof) co_return;  // the client has said all
  message = {};                            // printed: its memory goes back
  co_await linger(connection);
}

// The client has not ended its side, so it may still be sending. Closing a
// socket with unread input makes the kernel answer with a reset, which can
// destroy the reply in flight; so read and discard until the client closes.
awaitable<void> Server::linger(Connection& connection) {
  std::size_t discarded = 0;
  asio::error_code error;
  while (!error) {
    auto [read_error, n] = co_await read_some(connection.link, scratch_buffer());
    error = read_error;
    discarded += n;
  }
  if (discarded > 0) report(events::Discarded{connection, discarded});
  report(events::EndedAfterReply{connection, error});
}

}  // namespace tcpecho

// Reply mode, the seed's exchange: exchange() reads the message, prints it,
// sends the reply and half-closes; the rest of a message that came in pieces
// (read_rest) and the lingering read after the reply (linger) are coroutines
// of their own, entered only when needed.
#include <sys/socket.h>

#include <algorithm>

#include "output/python_format.hpp"
#include "server/server.hpp"
#include "server/session.hpp"
#include "transport/link.hpp"

namespace tcpecho {

// The room a message gets at first, before it shows it needs more.
constexpr std::size_t first_message_room = 1024;

// The seed's exchange: read the message (or what arrives before the client
// half-closes), print it, send the reply, close the sending side. The room
// for the message grows with what the client sends: --length caps memory, it
// does not allocate it. It starts once the socket is readable (for TLS, once
// the handshake is over), so the first read nearly always finds the message;
// when it does not, the connection goes back to waiting, without a coroutine.
awaitable<void> Server::exchange(std::unique_ptr<Session> session) {
  auto& [link, peer, connection, busy, error, echoed, secured, inbox, arrived] = *session;
  const std::size_t length = config_.message_length;
  std::string message(std::min(length, first_message_room), '\0');
  std::size_t received = 0;
  if (!error) received = read_now(link, asio::buffer(message), error);
  if (error == asio::error::would_block) {
    error = {};
    wait_for_bytes(std::move(session));
    co_return;
  }
  if (received > 0) connection.phase = Connection::Phase::receiving;
  if (received < length && !error) co_await read_rest(link, message, received, error);
  message.resize(received);

  if (error && error != asio::error::eof) {
    log("  Closing socket {}: {}; message from client: {}", peer, why_closed(connection, error),
        python::bytes_repr(message));
    co_return;
  }
  // MSG_MORE: the end of the stream, which shutdown() sends next, goes in the
  // same packet as the reply. (A partial packet held back that way goes out
  // at the shutdown, at the latest.)
  asio::error_code write_error;
  const std::size_t sent = send_now(link, asio::buffer(config_.reply), write_error, MSG_MORE);
  if (!write_error && sent < config_.reply.size())
    write_error = co_await send_reply_rest(link, sent);
  if (write_error) {
    log("  message from client: {}\n  Closing socket {}: could not send the reply: {}",
        python::bytes_repr(message), peer, why_closed(connection, write_error));
    co_return;
  }
  shutdown_send(link);
  // Printed together, once the reply is out: one write instead of two.
  if (logging()) log("  message from client: {}\n  Closing socket", python::bytes_repr(message));
  busy.reset();
  if (error == asio::error::eof) co_return;
  message = {};  // printed: its memory goes back
  co_await linger(*session);
}

// The part of the reply the kernel did not take at once.
awaitable<asio::error_code> Server::send_reply_rest(Link& link, std::size_t sent) {
  std::vector<char> kept;
  auto [error, written] = co_await send_rest(link, asio::buffer(config_.reply), sent, kept);
  co_return error;
}

// What the first read left of the message: until --length bytes, the
// client's end, or an error. The room grows with what arrives.
awaitable<void> Server::read_rest(Link& link, std::string& message, std::size_t& received,
                                  asio::error_code& error) {
  const std::size_t length = config_.message_length;
  while (received < length && !error) {
    if (received == message.size()) message.resize(std::min(2 * received, length));
    auto [read_error, n] = co_await read_when_ready(link, asio::buffer(message) + received);
    error = read_error;
    received += n;
  }
}

// The client has not half-closed, so it may still be sending. Closing a
// socket with unread input makes the kernel answer with a reset, which can
// destroy the reply in flight; so read and discard until the client closes.
awaitable<void> Server::linger(Session& session) {
  auto& [link, peer, connection, busy, error, echoed, secured, inbox, arrived] = session;
  connection.phase = Connection::Phase::lingering;
  std::size_t discarded = 0;
  constexpr std::size_t discard_per_turn = 4096;
  while (!error) {
    // A small read per turn: discarding is the least useful work there is,
    // and a client that keeps sending must not take the others' time for it.
    auto [read_error, n] =
        co_await read_when_ready(link, asio::buffer(scratch_.buffer(), discard_per_turn));
    error = read_error;
    discarded += n;
  }
  if (discarded > 0) {
    log("  Discarded {} byte{} that {} sent after the message", discarded,
        discarded == 1 ? "" : "s", peer);
  }
  // A TLS client that closes without close_notify (many do) cannot cut
  // anything short here: its message is in, its reply out.
  if (error != asio::error::eof && error != tls_truncated() &&
      connection.cut != Connection::Cut::shutting_down) {
    log("  Connection {} ended after the reply: {}", peer, why_closed(connection, error));
  }
}

}  // namespace tcpecho

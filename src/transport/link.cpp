// A connection's five operations, plain or TLS, and how they wait, take
// turns and keep bytes: see link.hpp.
#include "transport/link.hpp"

#include <algorithm>
#include <vector>

namespace tcpecho {
namespace {

// Once a turn's work is done, the others that are ready run first.
awaitable<void> yield_turn(Link& link) {
  co_await asio::post(co_await asio::this_coro::executor, use_awaitable);
  link.turn.renew();
}

// What a TLS call that said would_block is waiting for.
awaitable<asio::error_code> until_ready(Link& link) {
  auto [error] = co_await link.socket.async_wait(
      link.tls->wants_write() ? Socket::wait_write : Socket::wait_read, nothrow_awaitable);
  co_return error;
}

std::size_t send_ready(Link& link, asio::const_buffer bytes, asio::error_code& error,
                       Socket::message_flags flags) {
  if (!link.tls) return send_now(link.socket, bytes, error, flags);
  return link.tls->send_now(bytes, error);
}

// What the kernel did not take at once, waiting for room.
awaitable<IoResult> write_rest(Link& link, asio::const_buffer rest) {
  if (!link.tls) co_return co_await asio::async_write(link.socket, rest, nothrow_awaitable);
  std::size_t written = 0;
  while (written < rest.size()) {
    asio::error_code error;
    const std::size_t sent = link.tls->send_now(rest + written, error);
    written += sent;
    // A record at a time: only a send that took nothing has to wait.
    if (!error && sent == 0) error = co_await until_ready(link);
    if (error) co_return IoResult(error, written);
  }
  co_return IoResult(asio::error_code{}, written);
}

}  // namespace

awaitable<asio::error_code> handshake(Link& link) {
  asio::error_code error;
  if (!link.tls) co_return error;
  if (!link.inbox.empty()) link.tls->stage(link.inbox.take_all());
  for (;;) {
    link.tls->handshake_step(error);
    if (error != asio::error::would_block) co_return link.reason(error);
    if (auto wait_error = co_await until_ready(link)) co_return link.reason(wait_error);
  }
}

awaitable<IoResult> read_exactly(Link& link, asio::mutable_buffer buffer) {
  std::size_t filled = 0;
  while (filled < buffer.size()) {
    auto [error, n] = co_await read_some(link, buffer + filled);
    filled += n;
    if (error) co_return IoResult(error, filled);
  }
  co_return IoResult(asio::error_code{}, filled);
}

awaitable<asio::error_code> read_to_end(Link& link, std::string& bytes, std::size_t limit) {
  const auto [error, size] = co_await read_up_to(link, bytes, limit);
  co_return error ? error : asio::error::message_size;
}

awaitable<IoResult> write_all(Link& link, asio::const_buffer bytes, Socket::message_flags flags) {
  if (link.turn.spent()) co_await yield_turn(link);
  asio::error_code error;
  std::size_t written = send_ready(link, bytes, error, flags);
  link.turn.spend(written);
  if (!error && written < bytes.size()) {
    // The rest is the connection's own to keep while it waits: `bytes` may
    // be the scratch buffer, which the next connection reads into. (A TLS
    // record half sent must be offered again with the same bytes, too.)
    const auto* rest = static_cast<const char*>(bytes.data()) + written;
    const std::vector<char> kept(rest, rest + (bytes.size() - written));
    auto [rest_error, more] = co_await write_rest(link, asio::buffer(kept));
    link.turn.renew();
    error = rest_error;
    written += more;
    if (more > 0 && link.activity) link.activity->moved(0);
  }
  co_return IoResult(link.reason(error), written);
}

void unread(Link& link, asio::const_buffer bytes) { link.inbox.put(bytes); }

void shutdown_send(Link& link) {
  if (link.tls) link.tls->close_notify();
  asio::error_code ignored;
  link.socket.shutdown(Socket::shutdown_send, ignored);
}

void close(Link& link) {
  asio::error_code ignored;
  link.socket.close(ignored);
}

}  // namespace tcpecho

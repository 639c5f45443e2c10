// A connection's byte stream, plain or TLS, and the waits for both: see
// link.hpp.
#include "transport/link.hpp"

namespace tcpecho {
namespace {

// What a TLS call that said would_block is waiting for.
awaitable<asio::error_code> until_ready(Link& link) {
  auto [error] = co_await link.socket.async_wait(
      link.tls->wants_write() ? Socket::wait_write : Socket::wait_read, nothrow_awaitable);
  co_return error;
}

}  // namespace

awaitable<asio::error_code> handshake(Link& link) {
  asio::error_code error;
  if (!link.tls) co_return error;
  for (;;) {
    link.tls->handshake_step(error);
    if (error != asio::error::would_block) co_return error;
    if (auto wait_error = co_await until_ready(link)) co_return wait_error;
  }
}

std::size_t read_now(Link& link, asio::mutable_buffer buffer, asio::error_code& error) {
  if (!link.tls) return read_now(link.socket, buffer, error);
  return link.tls->read_now(buffer, error);
}

awaitable<std::tuple<asio::error_code, std::size_t>> read_when_ready(Link& link,
                                                                     asio::mutable_buffer buffer) {
  if (!link.tls) co_return co_await read_when_ready(link.socket, buffer);
  asio::error_code error;
  // A record read whole may hold more than the last read took.
  if (link.tls->has_pending()) {
    const std::size_t n = link.tls->read_now(buffer, error);
    if (error != asio::error::would_block) co_return std::tuple(error, n);
  }
  for (;;) {
    if (auto wait_error = co_await until_ready(link))
      co_return std::tuple(wait_error, std::size_t{0});
    const std::size_t n = link.tls->read_now(buffer, error);
    if (error != asio::error::would_block) co_return std::tuple(error, n);
  }
}

awaitable<std::tuple<asio::error_code, std::size_t>> read_some(Link& link,
                                                               asio::mutable_buffer buffer) {
  asio::error_code error;
  const std::size_t n = read_now(link, buffer, error);
  if (error != asio::error::would_block) co_return std::tuple(error, n);
  co_return co_await read_when_ready(link, buffer);
}

awaitable<std::tuple<asio::error_code, std::size_t>> read_exactly(Link& link,
                                                                  asio::mutable_buffer buffer) {
  std::size_t filled = 0;
  while (filled < buffer.size()) {
    auto [error, n] = co_await read_some(link, buffer + filled);
    filled += n;
    if (error) co_return std::tuple(error, filled);
  }
  co_return std::tuple(asio::error_code{}, filled);
}

std::size_t send_now(Link& link, asio::const_buffer bytes, asio::error_code& error,
                     Socket::message_flags flags) {
  if (!link.tls) return send_now(link.socket, bytes, error, flags);
  return link.tls->send_now(bytes, error);
}

awaitable<std::tuple<asio::error_code, std::size_t>> send_rest(Link& link,
                                                               asio::const_buffer bytes,
                                                               std::size_t sent,
                                                               std::vector<char>& kept) {
  if (!link.tls) co_return co_await send_rest(link.socket, bytes, sent, kept);
  // A record half sent must be offered again with the same bytes: kept
  // holds them while other connections reuse `bytes`.
  const auto* rest = static_cast<const char*>(bytes.data()) + sent;
  kept.assign(rest, rest + (bytes.size() - sent));
  auto [error, written] = co_await write_all(link, asio::buffer(kept));
  kept.clear();
  kept.shrink_to_fit();
  co_return std::tuple(error, sent + written);
}

awaitable<std::tuple<asio::error_code, std::size_t>> write_all(Link& link,
                                                               asio::const_buffer bytes) {
  if (!link.tls) co_return co_await asio::async_write(link.socket, bytes, nothrow_awaitable);
  std::size_t written = 0;
  while (written < bytes.size()) {
    asio::error_code error;
    const std::size_t sent = link.tls->send_now(bytes + written, error);
    written += sent;
    // A record at a time: only a send that took nothing has to wait.
    if (!error && sent == 0) error = co_await until_ready(link);
    if (error) co_return std::tuple(error, written);
  }
  co_return std::tuple(asio::error_code{}, written);
}

awaitable<asio::error_code> read_to_end(Link& link, std::string& bytes, std::size_t limit) {
  constexpr std::size_t first_room = 512;
  for (;;) {
    const std::size_t old_size = bytes.size();
    if (old_size == limit) co_return asio::error::message_size;
    bytes.resize(std::min(limit, std::max(2 * old_size, first_room)));
    auto [error, n] = co_await read_some(link, asio::buffer(bytes) + old_size);
    bytes.resize(old_size + n);
    if (error) co_return error;
  }
}

void shutdown_send(Link& link) {
  if (link.tls) link.tls->close_notify();
  asio::error_code ignored;
  link.socket.shutdown(Socket::shutdown_send, ignored);
}

}  // namespace tcpecho

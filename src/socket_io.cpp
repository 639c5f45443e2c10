#include "socket_io.hpp"

namespace tcpecho {

awaitable<std::tuple<asio::error_code, std::size_t>> read_when_ready(tcp::socket& socket,
                                                                     asio::mutable_buffer buffer,
                                                                     Readiness readiness) {
  for (;;) {
    if (readiness == Readiness::unknown) {
      auto [error] = co_await socket.async_wait(tcp::socket::wait_read, nothrow_awaitable);
      if (error) co_return std::tuple(error, std::size_t{0});
    }
    asio::error_code error;
    const std::size_t n = socket.read_some(buffer, error);
    // Nothing after all (a report that went stale): wait for the next one.
    if (error != asio::error::would_block) co_return std::tuple(error, n);
    readiness = Readiness::unknown;
  }
}

std::size_t send_now(tcp::socket& socket, asio::const_buffer bytes, asio::error_code& error,
                     tcp::socket::message_flags flags) {
  const std::size_t sent = socket.send(bytes, flags, error);
  if (error != asio::error::would_block) return sent;
  error = {};
  return 0;
}

awaitable<std::tuple<asio::error_code, std::size_t>> send_rest(tcp::socket& socket,
                                                               asio::const_buffer bytes,
                                                               std::size_t sent,
                                                               std::vector<char>& kept) {
  const auto* rest = static_cast<const char*>(bytes.data()) + sent;
  kept.assign(rest, rest + (bytes.size() - sent));
  auto [error, written] = co_await asio::async_write(socket, asio::buffer(kept), nothrow_awaitable);
  kept.clear();
  kept.shrink_to_fit();
  co_return std::tuple(error, sent + written);
}

}  // namespace tcpecho

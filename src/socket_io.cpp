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

awaitable<std::tuple<asio::error_code, std::size_t>> write_all(tcp::socket& socket,
                                                               asio::const_buffer bytes,
                                                               std::vector<char>& kept,
                                                               tcp::socket::message_flags flags) {
  asio::error_code error;
  std::size_t written = socket.send(bytes, flags, error);
  if (error == asio::error::would_block) error = {}, written = 0;
  if (error || written == bytes.size()) co_return std::tuple(error, written);

  const auto* rest = static_cast<const char*>(bytes.data()) + written;
  kept.assign(rest, rest + (bytes.size() - written));
  auto [rest_error, rest_written] =
      co_await asio::async_write(socket, asio::buffer(kept), nothrow_awaitable);
  kept.clear();
  kept.shrink_to_fit();
  co_return std::tuple(rest_error, written + rest_written);
}

}  // namespace tcpecho

#include "in_place_io.hpp"

namespace tcpecho {

awaitable<std::tuple<asio::error_code, std::size_t>> read_some_in_place(
    tcp::socket& socket, asio::mutable_buffer buffer) {
  for (;;) {
    asio::error_code error;
    const std::size_t received = socket.read_some(buffer, error);
    if (error != asio::error::would_block) co_return std::tuple(error, received);
    std::tie(error) = co_await socket.async_wait(tcp::socket::wait_read, nothrow_awaitable);
    if (error) co_return std::tuple(error, std::size_t{0});
  }
}

awaitable<std::tuple<asio::error_code, std::size_t>> write_in_place(
    tcp::socket& socket, asio::const_buffer bytes, tcp::socket::message_flags flags) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    asio::error_code error;
    written += socket.send(bytes + written, flags, error);
    if (error == asio::error::would_block) {
      std::tie(error) = co_await socket.async_wait(tcp::socket::wait_write, nothrow_awaitable);
    }
    if (error) co_return std::tuple(error, written);
  }
  co_return std::tuple(asio::error_code(), written);
}

}  // namespace tcpecho

// Plain reads and writes, one non-blocking system call each: see
// socket_io.hpp.
#include "net/socket_io.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace tcpecho {
namespace {

asio::error_code last_error() {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return asio::error::would_block;
  return {errno, asio::error::get_system_category()};
}

}  // namespace

std::size_t read_now(Socket& socket, asio::mutable_buffer buffer, asio::error_code& error) {
  for (;;) {
    const ssize_t n = ::recv(socket.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0 || buffer.size() == 0) {
      error = {};
      return static_cast<std::size_t>(n);
    }
    if (n < 0 && errno == EINTR) continue;
    error = n == 0 ? asio::error_code(asio::error::eof) : last_error();
    return 0;
  }
}

awaitable<std::tuple<asio::error_code, std::size_t>> read_when_ready(Socket& socket,
                                                                     asio::mutable_buffer buffer) {
  for (;;) {
    auto [error] = co_await socket.async_wait(Socket::wait_read, nothrow_awaitable);
    if (error) co_return std::tuple(error, std::size_t{0});
    const std::size_t n = read_now(socket, buffer, error);
    // Nothing after all (a report that went stale): wait for the next one.
    if (error != asio::error::would_block) co_return std::tuple(error, n);
  }
}

std::size_t send_now(Socket& socket, asio::const_buffer bytes, asio::error_code& error,
                     Socket::message_flags flags) {
  for (;;) {
    const ssize_t sent = ::send(socket.native_handle(), bytes.data(), bytes.size(),
                                flags | MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) {
      error = {};
      return static_cast<std::size_t>(sent);
    }
    if (errno == EINTR) continue;
    error = last_error();
    if (error == asio::error::would_block) error = {};
    return 0;
  }
}

awaitable<std::tuple<asio::error_code, std::size_t>> send_rest(Socket& socket,
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

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

asio::mutable_buffer scratch_buffer() {
  thread_local ScratchBuffer scratch;
  return scratch.buffer();
}

}  // namespace tcpecho

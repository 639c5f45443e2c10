// ConsoleOutput: unbuffered, line-at-a-time writes to file descriptors 1 and 2.
#include "output.hpp"

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>

namespace tcpecho {
namespace {

// The text and its newline go out in one writev(2), without copying the
// text: one system call per line, and lines from concurrent connections never
// tear. A short write (a full pipe) finishes with plain write(2)s.
void write_line(int fd, std::string_view text) {
  char newline = '\n';
  iovec parts[2] = {{const_cast<char*>(text.data()), text.size()}, {&newline, 1}};
  std::size_t left = text.size() + 1;
  int first = 0;
  while (left > 0) {
    ssize_t written = ::writev(fd, parts + first, 2 - first);
    if (written < 0 && errno == EINTR) continue;
    // EPIPE, a full disk, a closed descriptor: the transcript is lost, but
    // the server owes its clients their replies, so it carries on.
    if (written <= 0) return;
    left -= static_cast<std::size_t>(written);
    for (auto n = static_cast<std::size_t>(written); n > 0 && first < 2;) {
      const auto used = std::min(n, parts[first].iov_len);
      parts[first].iov_base = static_cast<char*>(parts[first].iov_base) + used;
      parts[first].iov_len -= used;
      n -= used;
      if (parts[first].iov_len == 0) ++first;
    }
  }
}

}  // namespace

ConsoleOutput::ConsoleOutput() : stderr_is_terminal_(::isatty(STDERR_FILENO) == 1) {
  // Without this a reader closing our stdout would kill us with SIGPIPE; the
  // sockets have no such problem (Asio sends with MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
}

void ConsoleOutput::line(std::string_view text) { write_line(STDOUT_FILENO, text); }
void ConsoleOutput::error(std::string_view text) { write_line(STDERR_FILENO, text); }

void ConsoleOutput::progress(std::string_view text) {
  if (!stderr_is_terminal_) return;
  const std::string line = "\r" + std::string(text) + "\033[K";
  [[maybe_unused]] auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace tcpecho

// ConsoleOutput: unbuffered, line-at-a-time writes to file descriptors 1 and 2.
#include "output.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace tcpecho {
namespace {

void write_line(int fd, std::string_view text) {
  std::string buffer;
  buffer.reserve(text.size() + 1);
  buffer.append(text).push_back('\n');
  std::string_view rest = buffer;
  while (!rest.empty()) {
    ssize_t written = ::write(fd, rest.data(), rest.size());
    if (written < 0 && errno == EINTR) continue;
    // EPIPE, a full disk, a closed descriptor: the transcript is lost, but
    // the server owes its clients their replies, so it carries on.
    if (written <= 0) return;
    rest.remove_prefix(static_cast<std::size_t>(written));
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

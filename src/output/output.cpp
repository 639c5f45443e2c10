// ConsoleOutput: the transcript to file descriptor 1, diagnostics to 2.
#include "output/output.hpp"

#include <unistd.h>

#include <csignal>

namespace tcpecho {
namespace {

// Before the writers start: without it a reader closing our stdout would kill
// us with SIGPIPE (the sockets have no such problem: Asio sends with
// MSG_NOSIGNAL).
bool ignore_sigpipe() {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}

}  // namespace

ConsoleOutput::ConsoleOutput()
    : stderr_is_terminal_(ignore_sigpipe() && ::isatty(STDERR_FILENO) == 1),
      stdout_(STDOUT_FILENO),
      stderr_(STDERR_FILENO) {}

void ConsoleOutput::line(std::string_view text) { stdout_.line(text); }
void ConsoleOutput::error(std::string_view text) { stderr_.line(text); }

void ConsoleOutput::progress(std::string_view text) {
  if (!stderr_is_terminal_) return;
  stderr_.transient("\r" + std::string(text) + "\033[K");
}

}  // namespace tcpecho

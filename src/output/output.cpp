// ConsoleOutput: the transcript to file descriptor 1, diagnostics to 2.
#include "output/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "exit_status.hpp"
#include "output/json_line.hpp"

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

int ConsoleOutput::finish() {
  const auto outcome = stdout_.close();
  if (outcome.error == EPIPE) {
    stderr_.close();
    return signal_exit_status(SIGPIPE);
  }
  const auto lost = outcome.lost == 1 ? std::string("1 line") : fmt::format("{} lines", outcome.lost);
  if (outcome.error != 0) {
    error(fmt::format("tcpecho: cannot write to standard output: {}{}",
                      std::strerror(outcome.error),
                      outcome.lost > 0 ? fmt::format(" ({} not written)", lost) : ""));
  } else if (outcome.lost > 0) {
    error(fmt::format("tcpecho: {} of standard output lost: its reader took nothing for {}", lost,
                      seconds_text(std::chrono::duration_cast<std::chrono::milliseconds>(
                          LineWriter::patience))));
  }
  stderr_.close();
  return static_cast<int>(outcome.error == 0 ? ExitStatus::ok : ExitStatus::output_failed);
}

void ConsoleOutput::use_json_lines() {
  json_ = true;
  const auto note = [](std::string_view text) { return JsonLine("error").text("message", text).str(); };
  stdout_.note_with(note);
  stderr_.note_with(note);
}

std::string ConsoleOutput::lines_of(std::string_view event, std::string_view text) const {
  std::string lines;
  for (std::size_t end = 0; end != std::string_view::npos;) {
    end = text.find('\n');
    if (!lines.empty()) lines += '\n';
    auto line = text.substr(0, end);
    if (line.starts_with("tcpecho: ")) line.remove_prefix(9);  // a JSON line names no program
    lines += JsonLine(event).text("message", line).str();
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

void ConsoleOutput::line(std::string_view text) {
  if (json_) return stdout_.line(lines_of("output", text));
  stdout_.line(text);
}

void ConsoleOutput::error(std::string_view text) {
  if (json_) return stderr_.line(lines_of("error", text));
  stderr_.line(text);
}

void ConsoleOutput::progress(std::string_view text) {
  if (!stderr_is_terminal_ || json_) return;
  stderr_.transient("\r" + std::string(text) + "\033[K");
}

}  // namespace tcpecho

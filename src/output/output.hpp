// Where tcpecho's words go: the transcript on stdout, errors on stderr.
//
// Components never touch std::cout; they are handed an Output. The program
// uses ConsoleOutput; tests use CapturedOutput and assert on the lines.
#pragma once

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "output/line_writer.hpp"

namespace tcpecho {

class Output {
 public:
  virtual ~Output() = default;

  // One line of the transcript, without its newline. Lines printed at the
  // same moment may come joined by '\n', to be written together.
  virtual void line(std::string_view text) = 0;
  // One line of diagnostics, without its newline.
  virtual void error(std::string_view text) = 0;
  // A status line that replaces the previous one (bench's live display);
  // empty clears it. Only a terminal shows it.
  virtual void progress(std::string_view /*text*/) {}
  // A line that is a JSON object already (--log-format json's sinks), on
  // stdout or stderr.
  virtual void json_line(std::string_view text) { line(text); }
  virtual void json_error(std::string_view text) { error(text); }

  template <typename... Args>
  void print(fmt::format_string<Args...> format, Args&&... args) {
    line(fmt::format(format, std::forward<Args>(args)...));
  }
  template <typename... Args>
  void print_error(fmt::format_string<Args...> format, Args&&... args) {
    error(fmt::format(format, std::forward<Args>(args)...));
  }
};

// stdout and stderr, each through a LineWriter: a line reaches a pipe or file
// at once while the reader keeps up, lines from concurrent connections never
// tear, and a reader who stops reading (`tcpecho serve | less`, Ctrl+S) never
// stops the caller: past a bound, lines are dropped and counted. A reader that
// has gone away (`tcpecho serve | head -3`) costs nothing.
class ConsoleOutput final : public Output {
 public:
  ConsoleOutput();
  // Writes out what is buffered, within LineWriter's patience, and says on
  // stderr what never reached stdout. Returns the exit status that a run
  // which otherwise succeeded ends with, as coreutils would: 0; 8
  // (output_failed) if a write to stdout failed; 128 + SIGPIPE, and nothing
  // said, if its reader had gone (`tcpecho --help | head -3`).
  int finish();
  // --log-format json: from now on every line is one JSON object. A line
  // that is not one already is made one: {"time", "event": "output" (on
  // stdout) or "error" (on stderr), "message"}; so are the notes of lines
  // lost. No progress line is shown.
  void use_json_lines();
  void line(std::string_view text) override;
  void error(std::string_view text) override;
  void progress(std::string_view text) override;
  void json_line(std::string_view text) override { stdout_.line(text); }
  void json_error(std::string_view text) override { stderr_.line(text); }

 private:
  // Each line of `text` as a JSON object of `event`, when lines are JSON.
  std::string lines_of(std::string_view event, std::string_view text) const;
  std::atomic<bool> json_{false};
  bool stderr_is_terminal_;
  LineWriter stdout_;
  LineWriter stderr_;
};

// Keeps every line, for tests. Safe to share between threads; read the
// vectors once the writers are done. `on_line`, when set, sees each
// transcript line as it comes, on the writer's thread: a test's way to wait
// for a line without polling.
class CapturedOutput final : public Output {
 public:
  void line(std::string_view text) override {
    std::lock_guard lock(mutex_);
    for (std::size_t end; (end = text.find('\n')) != std::string_view::npos;) {
      keep(text.substr(0, end));
      text.remove_prefix(end + 1);
    }
    keep(text);
  }
  void error(std::string_view text) override {
    std::lock_guard lock(mutex_);
    errors.emplace_back(text);
  }

  std::vector<std::string> lines;
  std::vector<std::string> errors;
  std::function<void(std::string_view)> on_line;

 private:
  void keep(std::string_view text) {
    lines.emplace_back(text);
    if (on_line) on_line(text);
  }

  std::mutex mutex_;
};

inline double seconds_of(std::chrono::milliseconds duration) {
  return std::chrono::duration<double>(duration).count();
}

// A duration as people write it in options and logs: "10s", "2.5s".
inline std::string seconds_text(std::chrono::milliseconds duration) {
  return fmt::format("{:g}s", seconds_of(duration));
}

}  // namespace tcpecho

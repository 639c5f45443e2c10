// LineWriter: lines to a file descriptor that nobody can make the caller wait
// for.
//
// A server's event loop must never block on its own log: a pipe nobody reads
// (`tcpecho serve | sleep 60`), a terminal paused with Ctrl+S or a slow ssh
// session would otherwise stall every connection and even Ctrl+C. So callers
// only append to a bounded buffer, and a thread of the writer's own empties
// it into the descriptor. While the reader keeps up, each line goes out as
// soon as it is written. When it does not, lines past the bound are dropped
// and counted, and once the descriptor takes bytes again one line says how
// many are missing, at the place where they are missing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace tcpecho {

class LineWriter {
 public:
  // `bound`: bytes waiting to be written, at most.
  explicit LineWriter(int fd, std::size_t bound = 256 * 1024);
  // close(), if nobody called it.
  ~LineWriter();
  LineWriter(const LineWriter&) = delete;
  LineWriter& operator=(const LineWriter&) = delete;

  // Appends `text` and a newline, whole or not at all (`text` may hold several
  // lines joined by '\n': each counts when dropped). Never blocks for long:
  // only for the few instructions another caller holds the buffer.
  void line(std::string_view text);
  // Appends `text` as it is, without a newline; dropped without being counted
  // when there is no room (a terminal's status line: the next one replaces it).
  void transient(std::string_view text);
  // How the writer's own note of missing lines is made into a line (the
  // note's words in, the line out): --log-format json makes it an object.
  void note_with(std::function<std::string(std::string_view)> format);

  // What became of the lines, once the writer has stopped.
  struct Outcome {
    int error = 0;           // the errno of the write that failed, if one did
    std::uint64_t lost = 0;  // lines never written, and not counted in the output
  };
  // Waits for what is buffered to be written, for as long as the descriptor
  // keeps taking bytes; gives up on a descriptor that takes none for
  // `patience`, so that a process whose reader has stopped still exits.
  // Lines after it are dropped.
  Outcome close();

  static constexpr std::chrono::milliseconds patience{1000};

 private:
  struct State;
  static void drain(int fd, std::shared_ptr<State> state);
  static int write_batch(int fd, State& s, std::string_view batch, std::uint64_t dropped);
  // Shared with the thread, which may outlive this object when it gave up.
  std::shared_ptr<State> state_;
};

}  // namespace tcpecho

// LineWriter over a real pipe: a reader that stops reading never stops the
// writer's caller, and what could not be written is counted where it is missing.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <regex>
#include <string>
#include <vector>

#include "output/line_writer.hpp"

using namespace tcpecho;

namespace {

class Pipe {
 public:
  Pipe() { REQUIRE(::pipe2(fds_, O_CLOEXEC) == 0); }
  ~Pipe() {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  int write_end() const { return fds_[1]; }

  // Reads until a whole line matches `wanted`, each wait bounded; returns
  // every line read on the way, that one included.
  std::vector<std::string> read_until(const std::regex& wanted) {
    std::vector<std::string> lines;
    for (;;) {
      for (std::size_t end; (end = text_.find('\n')) != std::string::npos;) {
        lines.push_back(text_.substr(0, end));
        text_.erase(0, end + 1);
        if (std::regex_match(lines.back(), wanted)) return lines;
      }
      pollfd readable{fds_[0], POLLIN, 0};
      REQUIRE_MESSAGE(::poll(&readable, 1, 10'000) == 1, "nothing more came within 10 s");
      char chunk[65536];
      const ssize_t n = ::read(fds_[0], chunk, sizeof chunk);
      REQUIRE(n > 0);
      text_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fds_[2] = {-1, -1};
  std::string text_;
};

}  // namespace

TEST_CASE("lines nobody reads are kept up to the bound, then counted where they are missing") {
  Pipe pipe;
  constexpr int written = 20'000;  // about 1 MB: far more than the pipe and the bound hold
  const std::string padding(40, '.');
  LineWriter writer(pipe.write_end(), 16 * 1024);
  // Nothing reads the pipe yet: were line() to wait for the reader, the test
  // would never get past this loop.
  for (int i = 0; i < written; ++i) writer.line(std::to_string(i) + padding);
  writer.line("joined 1\njoined 2");  // two lines in one call: two missing

  // Whole lines, in order, and none lost without being counted: each gap
  // holds the count of the lines missing there.
  const std::regex numbered(R"(\d+\.+|joined \d)");
  const std::regex missing(
      R"(tcpecho: \d+ lines? missing here: the output was not read fast enough)");
  std::size_t received = 0, counted = 0, gaps = 0;
  std::size_t next = 0;  // the number the next numbered line may not be below
  while (received + counted < written + 2) {
    const auto line = pipe.read_until(std::regex(".*")).back();
    if (std::regex_match(line, missing)) {
      counted += std::stoul(line.substr(std::string("tcpecho: ").size()));
      ++gaps;
      continue;
    }
    REQUIRE(std::regex_match(line, numbered));
    if (!line.starts_with("joined")) {
      const auto number = std::stoul(line);
      CHECK(number >= next);
      next = number + 1;
    }
    ++received;
  }
  CHECK(received + counted == written + 2);
  CHECK(gaps > 0);

  // Once the reader keeps up, lines flow again, each as it is written.
  writer.line("after the gap");
  CHECK(pipe.read_until(std::regex("after the gap")) == std::vector<std::string>{"after the gap"});
}

TEST_CASE("a transient status line does not count as missing") {
  Pipe pipe;
  LineWriter writer(pipe.write_end(), 64);
  writer.transient("\rstatus");
  writer.line("a line");
  CHECK(pipe.read_until(std::regex("\rstatusa line")) ==
        std::vector<std::string>{"\rstatusa line"});
}

TEST_CASE("close() reports a descriptor that fails, and the lines it never took") {
  std::signal(SIGPIPE, SIG_IGN);  // as ConsoleOutput does: EPIPE instead
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  ::close(fds[0]);  // nobody will ever read: each write fails with EPIPE
  LineWriter writer(fds[1]);
  writer.line("one");
  writer.line("two\nthree");
  const auto outcome = writer.close();
  ::close(fds[1]);
  CHECK(outcome.error == EPIPE);
  CHECK(outcome.lost == 3);
}

TEST_CASE("close() counts as lost what a reader that never reads left in the buffer") {
  Pipe pipe;
  LineWriter writer(pipe.write_end(), 1 << 20);
  constexpr int written = 20'000;  // about 1 MB: more than the pipe holds, less than the bound
  const std::string padding(40, '.');
  for (int i = 0; i < written; ++i) writer.line(std::to_string(i) + padding);
  const auto outcome = writer.close();  // gives up after LineWriter::patience
  CHECK(outcome.error == 0);
  CHECK(outcome.lost > 0);
  // What did reach the pipe, and what was lost, are every line written.
  const auto last = std::to_string(written - outcome.lost - 1);
  const auto reached = pipe.read_until(std::regex(last + R"(\.+)"));
  CHECK(reached.size() + outcome.lost == written);
  // The writer that gave up goes on writing into a pipe that is read again,
  // as it would until the process exits: the pipe is closed only once it has
  // written its last line.
  pipe.read_until(std::regex(std::to_string(written - 1) + R"(\.+)"));
}

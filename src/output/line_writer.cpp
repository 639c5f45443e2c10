// A bounded buffer and a writer thread per output stream: see
// line_writer.hpp.
#include "output/line_writer.hpp"

#include <fmt/format.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace tcpecho {

struct LineWriter::State {
  explicit State(std::size_t bound) : bound(bound) {}

  std::mutex mutex;
  std::condition_variable wake;     // the writer: there are bytes, or it is time to stop
  std::condition_variable written;  // the destructor: the writer made progress, or finished
  const std::size_t bound;
  std::string pending;
  std::uint64_t dropped = 0;  // lines lost since the writer last took the buffer
  std::uint64_t unwritten = 0;  // lines taken into the buffer and not yet written
  std::uint64_t uncounted = 0;  // dropped lines whose count could not be written
  int error = 0;                // the first failed write's errno: nothing is written after it
  bool writer_idle = false;
  bool closing = false;
  bool finished = false;
  bool closed = false;  // close() has waited, and Outcome is final
  Outcome outcome;
  std::uint64_t writes = 0;  // system calls that wrote something: the writer's progress
  std::function<std::string(std::string_view)> note;  // the missing lines' note as a line
  std::thread writer;
};

namespace {

// Writes all of `bytes`, telling `progress` what each system call took;
// 0, or the errno of the one that failed. A descriptor that fails (its reader
// gone, a full disk) loses the rest: the server owes its clients their
// replies, so it carries on, and says so at exit.
template <typename Progress>
int write_all(int fd, std::string_view bytes, Progress&& progress) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;
    progress(bytes.substr(0, static_cast<std::size_t>(n)));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return 0;
}

// A pipe takes a write of up to PIPE_BUF bytes whole, so lines sent in such
// pieces never tear, even where stdout and stderr share the pipe (2>&1).
template <typename Progress>
int write_lines(int fd, std::string_view lines, Progress&& progress) {
  while (!lines.empty()) {
    std::size_t end = lines.size() <= PIPE_BUF ? lines.size() : lines.rfind('\n', PIPE_BUF - 1);
    if (end == std::string_view::npos) end = lines.find('\n');  // one line longer than that
    end = end == std::string_view::npos ? lines.size() : std::min(end + 1, lines.size());
    if (const int error = write_all(fd, lines.substr(0, end), progress)) return error;
    lines.remove_prefix(end);
  }
  return 0;
}

std::uint64_t line_count(std::string_view text) {
  return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace

LineWriter::LineWriter(int fd, std::size_t bound) : state_(std::make_shared<State>(bound)) {
  state_->writer = std::thread(drain, fd, state_);
}

LineWriter::~LineWriter() { close(); }

LineWriter::Outcome LineWriter::close() {
  std::unique_lock lock(state_->mutex);
  if (state_->closed) return state_->outcome;
  state_->closing = true;
  state_->wake.notify_one();
  for (auto seen = state_->writes; !state_->finished; seen = state_->writes) {
    const bool moved = state_->written.wait_for(
        lock, patience, [&] { return state_->finished || state_->writes != seen; });
    if (!moved) break;
  }
  auto& s = *state_;
  const bool finished = s.finished;
  s.closed = true;
  s.outcome = {s.error, s.unwritten + s.dropped + s.uncounted};
  lock.unlock();
  // A writer stuck in write() keeps the state alive and dies with the process.
  if (finished) {
    s.writer.join();
  } else {
    s.writer.detach();
  }
  return s.outcome;
}

void LineWriter::line(std::string_view text) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  // Once a line is dropped, so is every line until the writer takes the
  // buffer: the gap stays in one place, where the count is written. A line
  // longer than the bound is taken into an empty buffer, or it never could be.
  if (s.dropped > 0 || (!s.pending.empty() && s.pending.size() + text.size() + 1 > s.bound)) {
    s.dropped += 1 + line_count(text);
    return;
  }
  s.unwritten += 1 + line_count(text);
  s.pending.append(text);
  s.pending.push_back('\n');
  if (std::exchange(s.writer_idle, false)) s.wake.notify_one();
}

void LineWriter::note_with(std::function<std::string(std::string_view)> format) {
  std::lock_guard lock(state_->mutex);
  state_->note = std::move(format);
}

void LineWriter::transient(std::string_view text) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  if (s.dropped > 0 || s.pending.size() + text.size() > s.bound) return;
  s.pending.append(text);
  if (std::exchange(s.writer_idle, false)) s.wake.notify_one();
}

// Writes a batch the buffer held, then the count of the lines dropped after
// it; 0, or the errno of the write that failed. Lines of the batch count as
// written once their newline is.
int LineWriter::write_batch(int fd, State& s, std::string_view batch, std::uint64_t dropped) {
  const auto lines_written = [&s](std::string_view bytes) {
    std::lock_guard lock(s.mutex);
    ++s.writes;
    s.unwritten -= line_count(bytes);
    s.written.notify_all();
  };
  const auto note_written = [&s](std::string_view) {
    std::lock_guard lock(s.mutex);
    ++s.writes;
    s.written.notify_all();
  };
  int error = write_lines(fd, batch, lines_written);
  if (error == 0 && dropped > 0) {
    std::string note = fmt::format("tcpecho: {} line{} missing here: the output was not read "
                                   "fast enough",
                                   dropped, dropped == 1 ? "" : "s");
    {
      std::lock_guard lock(s.mutex);
      if (s.note) note = s.note(note);
    }
    error = write_lines(fd, note + "\n", note_written);
  }
  return error;
}

void LineWriter::drain(int fd, std::shared_ptr<State> state) {
  auto& s = *state;
  std::unique_lock lock(s.mutex);
  for (;;) {
    while (s.pending.empty() && !s.closing) {
      s.writer_idle = true;
      s.wake.wait(lock);
    }
    if (s.pending.empty()) break;
    std::string batch;
    batch.swap(s.pending);
    const auto dropped = std::exchange(s.dropped, 0);
    const int earlier = s.error;  // nothing is written after a failure
    lock.unlock();
    const int error = earlier != 0 ? earlier : write_batch(fd, s, batch, dropped);
    lock.lock();
    if (error != 0) {
      s.error = error;
      s.uncounted += dropped;
    }
  }
  s.finished = true;
  s.written.notify_all();
}

}  // namespace tcpecho

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
  bool writer_idle = false;
  bool closing = false;
  bool finished = false;
  std::uint64_t writes = 0;  // system calls that wrote something: the writer's progress
  std::thread writer;
};

namespace {

// Writes all of `bytes`, telling `progress` after every system call that took
// some. A descriptor that fails (its reader gone, a full disk) loses them: the
// server owes its clients their replies, so it carries on.
template <typename Progress>
void write_all(int fd, std::string_view bytes, Progress&& progress) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
    progress();
  }
}

// A pipe takes a write of up to PIPE_BUF bytes whole, so lines sent in such
// pieces never tear, even where stdout and stderr share the pipe (2>&1).
template <typename Progress>
void write_lines(int fd, std::string_view lines, Progress&& progress) {
  while (!lines.empty()) {
    std::size_t end = lines.size() <= PIPE_BUF ? lines.size() : lines.rfind('\n', PIPE_BUF - 1);
    if (end == std::string_view::npos) end = lines.find('\n');  // one line longer than that
    end = end == std::string_view::npos ? lines.size() : std::min(end + 1, lines.size());
    write_all(fd, lines.substr(0, end), progress);
    lines.remove_prefix(end);
  }
}

}  // namespace

LineWriter::LineWriter(int fd, std::size_t bound) : state_(std::make_shared<State>(bound)) {
  state_->writer = std::thread(drain, fd, state_);
}

LineWriter::~LineWriter() {
  std::unique_lock lock(state_->mutex);
  state_->closing = true;
  state_->wake.notify_one();
  for (auto seen = state_->writes; !state_->finished; seen = state_->writes) {
    const bool moved = state_->written.wait_for(
        lock, patience, [&] { return state_->finished || state_->writes != seen; });
    if (!moved) break;
  }
  const bool finished = state_->finished;
  lock.unlock();
  // A writer stuck in write() keeps the state alive and dies with the process.
  if (finished) {
    state_->writer.join();
  } else {
    state_->writer.detach();
  }
}

void LineWriter::line(std::string_view text) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  // Once a line is dropped, so is every line until the writer takes the
  // buffer: the gap stays in one place, where the count is written. A line
  // longer than the bound is taken into an empty buffer, or it never could be.
  if (s.dropped > 0 || (!s.pending.empty() && s.pending.size() + text.size() + 1 > s.bound)) {
    s.dropped += 1 + static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
    return;
  }
  s.pending.append(text);
  s.pending.push_back('\n');
  if (std::exchange(s.writer_idle, false)) s.wake.notify_one();
}

void LineWriter::transient(std::string_view text) {
  std::lock_guard lock(state_->mutex);
  auto& s = *state_;
  if (s.dropped > 0 || s.pending.size() + text.size() > s.bound) return;
  s.pending.append(text);
  if (std::exchange(s.writer_idle, false)) s.wake.notify_one();
}

void LineWriter::drain(int fd, std::shared_ptr<State> state) {
  auto& s = *state;
  std::unique_lock lock(s.mutex);
  const auto progress = [&] {
    std::lock_guard again(s.mutex);
    ++s.writes;
    s.written.notify_all();
  };
  for (;;) {
    while (s.pending.empty() && !s.closing) {
      s.writer_idle = true;
      s.wake.wait(lock);
    }
    if (s.pending.empty()) break;
    std::string batch;
    batch.swap(s.pending);
    const auto dropped = std::exchange(s.dropped, 0);
    lock.unlock();
    write_lines(fd, batch, progress);
    if (dropped > 0) {
      write_lines(fd,
                  fmt::format("tcpecho: {} line{} missing here: the output was not read fast "
                              "enough\n",
                              dropped, dropped == 1 ? "" : "s"),
                  progress);
    }
    lock.lock();
  }
  s.finished = true;
  s.written.notify_all();
}

}  // namespace tcpecho

// One server thread's counts for --metrics: what a scrape sums over the
// threads (exposition.cpp). Each thread writes only its own Tally, and
// nothing in it is shared per message or per connection: a count is a
// relaxed load and store by its one writer (a plain add on x86), which a
// scrape on another thread may read at any time.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tcpecho {

class alignas(64) Tally {
 public:
  using Count = std::atomic<std::uint64_t>;
  enum Refusal : std::size_t { deny, allow, per_client, proxy, refusals };
  enum Mode : std::size_t { reply, echo, modes };
  enum Outcome : std::size_t { ok, timeout, shutdown, error, outcomes };
  // Upper bounds of the connection-duration histogram's buckets, in seconds;
  // one more bucket, +Inf, follows.
  static constexpr std::array<double, 12> duration_bounds{0.001, 0.005, 0.01, 0.05, 0.1, 0.5,
                                                          1,     5,     10,   30,   60,  300};

  // `listeners`: how many listening sockets a thread has.
  explicit Tally(std::size_t listeners) : accepted(listeners) {}

  static void add(Count& count, std::uint64_t n = 1) {
    count.store(count.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  static std::uint64_t read(const Count& count) { return count.load(std::memory_order_relaxed); }
  void observe_duration(double seconds) {
    std::size_t bucket = 0;
    while (bucket < duration_bounds.size() && seconds > duration_bounds[bucket]) ++bucket;
    add(durations[bucket]);
    duration_sum.store(duration_sum.load(std::memory_order_relaxed) + seconds,
                       std::memory_order_relaxed);
  }

  std::vector<Count> accepted;  // by listening socket, in the order they were announced
  Count closed{0};
  std::array<Count, refusals> refused{};
  Count bytes_received{0};
  Count bytes_sent{0};
  std::array<std::array<Count, outcomes>, modes> exchanges{};
  Count accept_errors{0};
  std::array<Count, 2> handshakes{};  // full, resumed
  Count handshake_failures{0};
  std::array<Count, duration_bounds.size() + 1> durations{};  // per bucket, not cumulative
  std::atomic<double> duration_sum{0};
};

}  // namespace tcpecho

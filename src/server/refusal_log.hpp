// How often a refused client is told of in the log: once per address per
// 10 seconds, the next line carrying the count of those not told. A flood of
// refused connections from one address costs the log a line per window, not
// a line per connection. Shared by all of a server's threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>

#include "config/cidr.hpp"

namespace tcpecho {

class RefusalLog {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds window{10};

  // None: not now (this address was told of less than `window` ago). Else:
  // tell of it, and of this many more since the last time.
  std::optional<std::size_t> tell(const Cidr::Bytes& address, Clock::time_point now);

 private:
  struct Entry {
    Clock::time_point quiet_until;
    std::size_t untold = 0;
  };
  void forget_stale(Clock::time_point now);

  std::mutex mutex_;
  std::map<Cidr::Bytes, Entry> entries_;
};

}  // namespace tcpecho

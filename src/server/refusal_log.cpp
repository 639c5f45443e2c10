// Refusals, told of once per address per window: see refusal_log.hpp.
#include "server/refusal_log.hpp"

#include <utility>

namespace tcpecho {
namespace {

// Addresses remembered before the ones with nothing left to tell are
// forgotten: a flood from many addresses does not grow the log without end.
constexpr std::size_t remembered = 4096;

}  // namespace

std::optional<std::size_t> RefusalLog::tell(const Cidr::Bytes& address, Clock::time_point now) {
  const std::scoped_lock lock(mutex_);
  if (entries_.size() >= remembered) forget_stale(now);
  auto [entry, added] = entries_.try_emplace(address);
  if (!added && now < entry->second.quiet_until) {
    ++entry->second.untold;
    return std::nullopt;
  }
  entry->second.quiet_until = now + window;
  return std::exchange(entry->second.untold, 0);
}

void RefusalLog::forget_stale(Clock::time_point now) {
  std::erase_if(entries_, [now](const auto& entry) {
    return entry.second.untold == 0 && entry.second.quiet_until <= now;
  });
}

}  // namespace tcpecho

// --max-connections, shared by every listener and thread: see
// connection_limit.hpp.
#include "listen/connection_limit.hpp"

namespace tcpecho {

Permit::~Permit() {
  if (owner_ != nullptr) owner_->release();
}

std::optional<Permit> ConnectionLimit::try_take() {
  auto taken = taken_.load(std::memory_order_relaxed);
  do {
    if (taken >= limit_) return std::nullopt;
  } while (!taken_.compare_exchange_weak(taken, taken + 1, std::memory_order_relaxed));
  return Permit(this);
}

void ConnectionLimit::release() {
  if (taken_.fetch_sub(1, std::memory_order_relaxed) == limit_) {
    for (auto& wake : wakers_) wake();
  }
}

}  // namespace tcpecho

// --max-connections for a whole server: every thread and every listening
// address draws from one count, so the limit is exactly N, and a listener
// whose address has no client waiting holds nothing that another could use.
//
// A listener takes a Permit only once a client is there to accept, and
// gives it back if accept() finds nobody after all. When the limit is
// reached, clients wait in the kernel's listen backlog; the first slot to
// free up wakes every listener that waits for one.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace tcpecho {

class ConnectionLimit;

// One slot under the limit, held from accept to close. Destroying it frees
// the slot.
class Permit {
 public:
  Permit(Permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
  Permit& operator=(Permit&&) = delete;
  ~Permit();

 private:
  friend class ConnectionLimit;
  explicit Permit(ConnectionLimit* owner) : owner_(owner) {}
  ConnectionLimit* owner_;
};

// Safe to use from every thread at once.
class ConnectionLimit {
 public:
  explicit ConnectionLimit(std::size_t limit) : limit_(limit) {}
  ConnectionLimit(const ConnectionLimit&) = delete;
  ConnectionLimit& operator=(const ConnectionLimit&) = delete;

  // A slot, if one is free.
  std::optional<Permit> try_take();
  bool full() const { return taken_.load(std::memory_order_relaxed) >= limit_; }

  // `wake` is called, on the thread that frees it, when a slot frees up while
  // all were taken. Add every waker before the threads start.
  void on_room(std::function<void()> wake) { wakers_.push_back(std::move(wake)); }

 private:
  friend class Permit;
  void release();

  const std::size_t limit_;
  std::atomic<std::size_t> taken_{0};
  std::vector<std::function<void()>> wakers_;
};

}  // namespace tcpecho

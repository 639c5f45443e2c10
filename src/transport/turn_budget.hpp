// How much a connection may do in one turn of the event loop. A read always
// completes through the loop (link_read.hpp), but a write that the kernel
// takes at once returns at once: a connection that only writes, and keeps
// finding room (a client flooding a server that reads fast), would write in
// a loop that never lets the other connections on its thread run. So a write
// spends what it moved; once a turn's worth is spent, the next write first
// lets everything else that is ready run (a post), and then has a new turn.
// A read, or a write that waited, went through the loop already and starts
// a new turn. The same idea as tokio's cooperative budget, kept inside the
// I/O resources where the code above never sees it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "net/socket_io.hpp"

namespace tcpecho {

class TurnBudget {
 public:
  // Two full scratch buffers: an echo of the largest chunk a read takes fits
  // in a turn with room to spare, a flood of them yields every other write.
  static constexpr std::uint32_t per_turn = 2 * ScratchBuffer::size;

  bool spent() const { return left_ == 0; }
  void spend(std::size_t bytes) {
    left_ -= static_cast<std::uint32_t>(std::min<std::size_t>(left_, bytes));
  }
  void renew() { left_ = per_turn; }

 private:
  std::uint32_t left_ = per_turn;
};

}  // namespace tcpecho

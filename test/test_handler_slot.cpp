// HandlerSlot: one block, handed out while free, the heap otherwise.
#include <doctest/doctest.h>

#include "handler_slot.hpp"

using tcpecho::HandlerSlot;

TEST_CASE("a HandlerSlot hands out its block once at a time and the heap meanwhile") {
  HandlerSlot slot;
  void* first = slot.allocate(64);
  CHECK(slot.in_use());
  void* second = slot.allocate(64);  // overlapping: from the heap
  CHECK(second != first);
  slot.deallocate(second);
  CHECK(slot.in_use());
  slot.deallocate(first);
  CHECK_FALSE(slot.in_use());
  CHECK(slot.allocate(64) == first);  // the same block, reused
  slot.deallocate(first);
}

TEST_CASE("a HandlerSlot sends a block larger than its own to the heap") {
  HandlerSlot slot;
  void* big = slot.allocate(64 * 1024);
  CHECK_FALSE(slot.in_use());
  slot.deallocate(big);
}

TEST_CASE("an Asio operation bound to a HandlerSlot lives in it until it runs") {
  asio::io_context io;
  HandlerSlot slot;
  bool ran = false;
  bool slot_free_when_run = false;
  asio::post(io, asio::bind_allocator(HandlerSlot::Allocator<void>(slot), [&] {
               ran = true;
               slot_free_when_run = !slot.in_use();
             }));
  CHECK(slot.in_use());
  io.run();
  CHECK(ran);
  // Asio frees an operation's memory before calling its handler, which is
  // what lets the handler start the next operation in the same slot.
  CHECK(slot_free_when_run);
  CHECK_FALSE(slot.in_use());
}

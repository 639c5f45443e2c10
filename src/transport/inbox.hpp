// What a connection's wait read (see link.hpp): a few bytes of its own, so
// that the wait and the read are one operation to Asio's reactor. Short
// messages fit whole; a longer one is read on from the socket into the
// caller's buffer. Over TLS these are encrypted bytes, staged for OpenSSL.
// The bytes are allocated at the first wait that reads: a connection that
// has not spoken yet (waits for it leave the bytes in the kernel) holds
// none. They start few and double each time a wait fills them, up to
// `largest`: a quiet connection that said a greeting holds 24 bytes (the
// smallest block malloc hands out holds as many), one that trades 128-byte
// messages grows to 192 in its first round trips.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>

#include "net/stream.hpp"

namespace tcpecho {

class Inbox {
 public:
  static constexpr std::size_t smallest = 24;
  static constexpr std::size_t largest = 256;

  // Room for the next wait to read into, at least `wanted` bytes (up to
  // `largest`); larger than the last if that wait filled it. Only while
  // empty: the bytes held are dropped.
  asio::mutable_buffer room(std::size_t wanted = 0) {
    std::size_t size = std::max<std::size_t>(capacity_, smallest);
    if (held_ == capacity_ && held_ > 0) size = 2 * capacity_;
    while (size < wanted) size *= 2;
    size = std::min(size, largest);
    if (size != capacity_) {
      bytes_.reset(new char[size]);
      capacity_ = static_cast<std::uint16_t>(size);
      held_ = taken_ = 0;
    }
    return asio::buffer(bytes_.get(), capacity_);
  }
  std::size_t capacity() const { return capacity_; }
  // The wait read `n` bytes into room().
  void filled(std::size_t n) {
    held_ = static_cast<std::uint16_t>(n);
    taken_ = 0;
  }
  // Holds `bytes` as if a wait had read them; at most `largest`.
  void put(asio::const_buffer bytes) {
    if (bytes.size() > 0) filled(asio::buffer_copy(room(bytes.size()), bytes));
  }
  // Moves what it holds into `buffer`, as much as fits.
  std::size_t take(asio::mutable_buffer buffer) {
    const std::size_t n = std::min<std::size_t>(held_ - taken_, buffer.size());
    if (n > 0) std::memcpy(buffer.data(), bytes_.get() + taken_, n);
    taken_ = static_cast<std::uint16_t>(taken_ + n);
    return n;
  }
  // Marks all it holds as taken, and returns it: bytes that TLS reads in
  // place, before the next wait fills the inbox again.
  asio::const_buffer take_all() {
    if (empty()) return {};
    const auto rest = asio::buffer(bytes_.get() + taken_, held_ - taken_);
    taken_ = held_;
    return rest;
  }
  bool empty() const { return taken_ == held_; }

 private:
  std::unique_ptr<char[]> bytes_;
  std::uint16_t capacity_ = 0;
  std::uint16_t held_ = 0;
  std::uint16_t taken_ = 0;
};

}  // namespace tcpecho

// What a connection's wait read (see link.hpp): a few bytes of its own, so
// that the wait and the read are one operation to Asio's reactor. Short
// messages fit whole; a longer one is read on from the socket into the
// caller's buffer. Over TLS these are encrypted bytes, staged for OpenSSL.
// The bytes are allocated at the first wait that reads: a connection that
// has not spoken yet (waits for it leave the bytes in the kernel) holds
// none.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>

#include "net/stream.hpp"

namespace tcpecho {

class Inbox {
 public:
  static constexpr std::size_t size = 256;

  asio::mutable_buffer room() {
    if (!bytes_) bytes_ = std::make_unique<Bytes>();
    return asio::buffer(*bytes_);
  }
  // The wait read `n` bytes into room().
  void filled(std::size_t n) {
    held_ = static_cast<std::uint16_t>(n);
    taken_ = 0;
  }
  // Holds `bytes` as if a wait had read them; at most `size`.
  void put(asio::const_buffer bytes) {
    if (bytes.size() > 0) filled(asio::buffer_copy(room(), bytes));
  }
  // Moves what it holds into `buffer`, as much as fits.
  std::size_t take(asio::mutable_buffer buffer) {
    const std::size_t n = std::min<std::size_t>(held_ - taken_, buffer.size());
    if (n > 0) std::memcpy(buffer.data(), bytes_->data() + taken_, n);
    taken_ = static_cast<std::uint16_t>(taken_ + n);
    return n;
  }
  // Marks all it holds as taken, and returns it: bytes that TLS reads in
  // place, before the next wait fills the inbox again.
  asio::const_buffer take_all() {
    if (empty()) return {};
    const auto rest = asio::buffer(bytes_->data() + taken_, held_ - taken_);
    taken_ = held_;
    return rest;
  }
  bool empty() const { return taken_ == held_; }

 private:
  using Bytes = std::array<char, size>;
  std::unique_ptr<Bytes> bytes_;
  std::uint16_t held_ = 0;
  std::uint16_t taken_ = 0;
};

}  // namespace tcpecho

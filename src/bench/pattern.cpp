// The bytes bench sends, so that every byte back can be checked: see
// pattern.hpp.
#include "bench/pattern.hpp"

#include <cassert>
#include <vector>

namespace tcpecho {
namespace {

class Pattern {
 public:
  static constexpr std::size_t period = 1'048'583;  // the first prime above 1 MiB
  static_assert(period >= max_slice);

  // One period, then as much again as a slice may need past its end.
  Pattern() : bytes_(period + max_slice) {
    std::uint32_t state = 2463534242u;
    for (std::size_t i = 0; i < bytes_.size(); ++i) {
      if (i < period) {
        state ^= state << 13, state ^= state >> 17, state ^= state << 5;  // xorshift32
        bytes_[i] = static_cast<char>(state);
      } else {
        bytes_[i] = bytes_[i - period];
      }
    }
  }
  std::span<const char> slice(std::uint64_t offset, std::size_t size) const {
    assert(size <= max_slice);
    return {bytes_.data() + offset % period, size};
  }

 private:
  std::vector<char> bytes_;
};

}  // namespace

std::span<const char> pattern_slice(std::uint64_t offset, std::size_t size) {
  static const Pattern pattern;
  return pattern.slice(offset, size);
}

}  // namespace tcpecho

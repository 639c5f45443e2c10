// The bytes bench sends: a fixed pseudo-random stream that any received chunk
// can be checked against, by its offset in the stream alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tcpecho {

// The most a slice may hold: bench's largest --size, and its reads.
inline constexpr std::size_t max_slice = 1024 * 1024;

// `size` bytes of the stream from `offset`, one contiguous slice for any
// offset and any size up to max_slice. The stream repeats with a prime
// period, so chunk boundaries drift across it and a lost, repeated or
// reordered chunk shows as a mismatch.
std::span<const char> pattern_slice(std::uint64_t offset, std::size_t size);

}  // namespace tcpecho

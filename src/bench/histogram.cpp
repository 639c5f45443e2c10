// bench's latency histogram: see histogram.hpp.
#include "bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tcpecho {

// Values below 128 have a bucket each; above, the top 8 significant bits
// choose the bucket, so a bucket is never wider than 1/128 of its value.
int Histogram::index_of(std::uint64_t value) {
  if (value < sub_buckets) return static_cast<int>(value);
  const int shift = std::bit_width(value) - 1 - sub_bucket_bits;
  const int capped = std::min(shift, powers - 1);
  const auto sub = std::min<std::uint64_t>((value >> capped) - sub_buckets, sub_buckets - 1);
  return sub_buckets + capped * sub_buckets + static_cast<int>(sub);
}

std::uint64_t Histogram::low_of(int index) {
  if (index < sub_buckets) return static_cast<std::uint64_t>(index);
  const int shift = (index - sub_buckets) / sub_buckets;
  const int sub = (index - sub_buckets) % sub_buckets;
  return static_cast<std::uint64_t>(sub_buckets + sub) << shift;
}

std::uint64_t Histogram::width_of(int index) {
  if (index < sub_buckets) return 1;
  return std::uint64_t{1} << ((index - sub_buckets) / sub_buckets);
}

void Histogram::record(std::uint64_t value) {
  ++counts_[static_cast<std::size_t>(index_of(value))];
  ++count_;
  sum_ += value;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

std::uint64_t Histogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (int i = 0; i < bucket_count; ++i) {
    seen += counts_[static_cast<std::size_t>(i)];
    if (seen >= rank) {
      const auto middle = low_of(i) + (width_of(i) - 1) / 2;
      return std::clamp(middle, min_, max_);
    }
  }
  return max_;
}

std::vector<Histogram::Bucket> Histogram::buckets() const {
  std::vector<Bucket> result;
  for (int i = 0; i < bucket_count; ++i) {
    if (const auto n = counts_[static_cast<std::size_t>(i)]; n > 0) {
      result.push_back({low_of(i), low_of(i) + width_of(i), n});
    }
  }
  return result;
}

}  // namespace tcpecho

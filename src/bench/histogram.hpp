// A latency histogram for the load generator: log-linear buckets (each power
// of two split into 128 equal parts) give every percentile within 1% of the
// truth, in a fixed 5,000-odd counters, with nothing stored per sample and
// nothing allocated after construction. Histograms from several threads or
// machines merge by adding counts.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace tcpecho {

class Histogram {
 public:
  static constexpr int sub_bucket_bits = 7;  // 128 parts per power of two: < 0.8% error
  static constexpr int sub_buckets = 1 << sub_bucket_bits;
  static constexpr int powers = 40;  // up to 2^47 ns, about 39 hours
  static constexpr int bucket_count = sub_buckets * (powers + 1);

  void record(std::uint64_t value);
  void merge(const Histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_) / count_; }
  // The value below which `fraction` of the samples fall (0 < fraction <= 1),
  // as the midpoint of its bucket, clamped to the exact extremes.
  std::uint64_t percentile(double fraction) const;

  struct Bucket {
    std::uint64_t low;   // inclusive
    std::uint64_t high;  // exclusive
    std::uint64_t count;
  };
  // The buckets that hold samples, in increasing order.
  std::vector<Bucket> buckets() const;

  static int index_of(std::uint64_t value);
  static std::uint64_t low_of(int index);
  static std::uint64_t width_of(int index);

 private:
  std::array<std::uint64_t, bucket_count> counts_{};
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
};

}  // namespace tcpecho

// What bench measures with and sends: its histogram against known
// distributions, added up and compressed, and the stream's byte pattern.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "bench/histogram.hpp"
#include "bench/pattern.hpp"

using namespace tcpecho;

namespace {

// The exact percentile of a sorted sample, by the same rank rule.
std::uint64_t exact(const std::vector<std::uint64_t>& sorted, double fraction) {
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * sorted.size()));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

void check_percentiles(std::vector<std::uint64_t> samples) {
  Histogram histogram;
  for (auto value : samples) histogram.record(value);
  std::sort(samples.begin(), samples.end());
  for (double fraction : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const double truth = static_cast<double>(exact(samples, fraction));
    const double estimate = static_cast<double>(histogram.percentile(fraction));
    CAPTURE(fraction);
    CHECK(std::abs(estimate - truth) <= std::max(1.0, 0.001 * truth));
  }
  const double largest = static_cast<double>(samples.back());
  CHECK(std::abs(static_cast<double>(histogram.max()) - largest) <= std::max(1.0, 0.001 * largest));
  CHECK(histogram.count() == samples.size());
}

}  // namespace

TEST_CASE("histogram percentiles are within 0.1% for known distributions") {
  std::mt19937_64 random(12345);
  std::vector<std::uint64_t> uniform, exponential, lognormal;
  std::uniform_int_distribution<std::uint64_t> flat(1, 10'000'000);
  std::exponential_distribution<double> decay(1.0 / 200'000.0);
  std::lognormal_distribution<double> skewed(12.0, 1.5);
  for (int i = 0; i < 200'000; ++i) {
    uniform.push_back(flat(random));
    exponential.push_back(static_cast<std::uint64_t>(decay(random)));
    lognormal.push_back(static_cast<std::uint64_t>(skewed(random)));
  }
  check_percentiles(uniform);
  check_percentiles(exponential);
  check_percentiles(lognormal);
  std::vector<std::uint64_t> small;
  for (std::uint64_t v = 0; v < 100; ++v) small.push_back(v);
  check_percentiles(small);  // below 2048, every value has its own bucket
}

TEST_CASE("the stream pattern has a whole slice of the largest size at every offset") {
  // The period is just above max_slice: test around one and two periods.
  constexpr std::uint64_t period = 1'048'583;
  for (std::uint64_t base : {std::uint64_t{0}, period, 2 * period}) {
    for (std::uint64_t offset = base - std::min(base, std::uint64_t{4}); offset < base + 4;
         ++offset) {
      const auto slice = pattern_slice(offset, max_slice);
      REQUIRE(slice.size() == max_slice);
      // Every byte is the one the stream has there: read it as the first byte
      // of its own slice (AddressSanitizer checks the reads stay inside).
      for (std::size_t i :
           {std::size_t{0}, std::size_t{1}, period - offset % period, max_slice - 1}) {
        if (i < max_slice) CHECK(slice[i] == pattern_slice(offset + i, 1)[0]);
      }
      CHECK(slice[max_slice - 1] == pattern_slice(offset + max_slice - 1 + period, 1)[0]);
    }
  }
  // The stream repeats with that period and no shorter one near it.
  CHECK(std::equal(pattern_slice(0, 4096).begin(), pattern_slice(0, 4096).end(),
                   pattern_slice(period, 4096).begin()));
  CHECK_FALSE(std::equal(pattern_slice(0, 4096).begin(), pattern_slice(0, 4096).end(),
                         pattern_slice(1024 * 1024, 4096).begin()));
}

TEST_CASE("histograms add up exactly, and their compressed form carries every count") {
  Histogram a, b, both;
  for (std::uint64_t v = 1; v < 100'000; v += 7) {
    (v % 2 ? a : b).record(v * 13);
    both.record(v * 13);
  }
  a.add(b);
  const auto decoded = Histogram::decoded(a.encoded());
  REQUIRE(decoded);
  for (const Histogram* h : std::array<const Histogram*, 2>{&a, &*decoded}) {
    CHECK(h->count() == both.count());
    CHECK(h->max() == both.max());
    CHECK(h->min() == both.min());
    for (double fraction : {0.001, 0.5, 0.9, 0.99, 0.999, 1.0})
      CHECK(h->percentile(fraction) == both.percentile(fraction));
  }
  CHECK_FALSE(Histogram::decoded("not a histogram"));
  CHECK_FALSE(Histogram::decoded(""));
}

TEST_CASE("a value past the histogram's hour counts as an hour rather than being lost") {
  Histogram h;
  h.record(10 * static_cast<std::uint64_t>(Histogram::highest));
  h.record(0);
  CHECK(h.count() == 2);
  CHECK(h.max() >= static_cast<std::uint64_t>(Histogram::highest));
}

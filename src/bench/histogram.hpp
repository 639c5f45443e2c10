// A latency histogram: HdrHistogram_c's, in nanoseconds, from 1 ns to an
// hour at 3 significant figures, so every percentile is within 0.1% of the
// truth with nothing stored per sample. Histograms from several threads,
// intervals or machines add up exactly, bucket by bucket; HdrHistogram's
// compressed base64 form carries one in a JSON file or an .hlog line.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct hdr_histogram;

namespace tcpecho {

// Nanoseconds, as the reports give latencies: in microseconds.
inline double microseconds(std::uint64_t nanoseconds) {
  return static_cast<double>(nanoseconds) / 1000.0;
}

class Histogram {
 public:
  static constexpr std::int64_t highest = 3'600'000'000'000;  // an hour, in ns

  Histogram();
  Histogram(const Histogram& other);
  Histogram& operator=(const Histogram& other);
  Histogram(Histogram&&) noexcept = default;
  Histogram& operator=(Histogram&&) noexcept = default;
  ~Histogram() = default;

  // A value past an hour counts as an hour, so no sample is lost.
  void record(std::uint64_t value);
  void add(const Histogram& other);
  void reset();

  std::uint64_t count() const;
  std::uint64_t min() const;
  std::uint64_t max() const;
  double mean() const;
  // The value at or below which `fraction` of the samples fall (0 < fraction <= 1).
  std::uint64_t percentile(double fraction) const;

  // HdrHistogram's compressed form (V2 encoding, deflated, base64), and back;
  // nullopt for text that is not one.
  std::string encoded() const;
  static std::optional<Histogram> decoded(std::string_view base64);

  // For HdrHistogram_c's own printers, iterators and log writer.
  hdr_histogram* hdr() const { return hdr_.get(); }

 private:
  struct Close {
    void operator()(hdr_histogram* h) const;
  };
  explicit Histogram(hdr_histogram* adopted) : hdr_(adopted) {}

  std::unique_ptr<hdr_histogram, Close> hdr_;
};

}  // namespace tcpecho

// bench's latency histogram over HdrHistogram_c: see histogram.hpp.
#include "bench/histogram.hpp"

#include <hdr/hdr_histogram.h>
#include <hdr/hdr_histogram_log.h>

#include <algorithm>
#include <cstdlib>
#include <new>

namespace tcpecho {
namespace {

hdr_histogram* make() {
  hdr_histogram* h = nullptr;
  if (hdr_init(1, Histogram::highest, 3, &h) != 0) throw std::bad_alloc();
  return h;
}

}  // namespace

void Histogram::Close::operator()(hdr_histogram* h) const { hdr_close(h); }

Histogram::Histogram() : hdr_(make()) {}

Histogram::Histogram(const Histogram& other) : Histogram() { add(other); }

Histogram& Histogram::operator=(const Histogram& other) {
  if (this != &other) {
    reset();
    add(other);
  }
  return *this;
}

void Histogram::record(std::uint64_t value) {
  hdr_record_value(hdr_.get(), static_cast<std::int64_t>(std::min<std::uint64_t>(
                                   value, static_cast<std::uint64_t>(highest))));
}

// Same range and precision on both sides, so nothing falls out of range.
// hdr_add walks every bucket: an empty histogram (a run without TLS has its
// handshakes') is not walked at all.
void Histogram::add(const Histogram& other) {
  if (other.count() > 0) hdr_add(hdr_.get(), other.hdr_.get());
}

void Histogram::reset() { hdr_reset(hdr_.get()); }

std::uint64_t Histogram::count() const { return static_cast<std::uint64_t>(hdr_->total_count); }

std::uint64_t Histogram::min() const {
  return count() == 0 ? 0 : static_cast<std::uint64_t>(hdr_min(hdr_.get()));
}

std::uint64_t Histogram::max() const { return static_cast<std::uint64_t>(hdr_max(hdr_.get())); }

double Histogram::mean() const { return count() == 0 ? 0.0 : hdr_mean(hdr_.get()); }

std::uint64_t Histogram::percentile(double fraction) const {
  return static_cast<std::uint64_t>(hdr_value_at_percentile(hdr_.get(), fraction * 100.0));
}

std::string Histogram::encoded() const {
  char* text = nullptr;
  if (hdr_log_encode(hdr_.get(), &text) != 0) throw std::bad_alloc();
  std::string result(text);
  std::free(text);
  return result;
}

std::optional<Histogram> Histogram::decoded(std::string_view base64) {
  std::string text(base64);
  hdr_histogram* h = nullptr;
  if (hdr_log_decode(&h, text.data(), text.size()) != 0 || h == nullptr) return std::nullopt;
  // Re-recorded in the shape every histogram here has, so they add up.
  const Histogram adopted(h);
  Histogram result;
  if (hdr_add(result.hdr_.get(), adopted.hdr_.get()) != 0) return std::nullopt;
  return result;
}

}  // namespace tcpecho

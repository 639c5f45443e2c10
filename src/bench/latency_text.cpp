// bench's latencies in words and bars: see latency_text.hpp.
#include "bench/latency_text.hpp"

#include <hdr/hdr_histogram.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace tcpecho {
namespace {

constexpr std::array<std::pair<double, const char*>, 4> percentiles{
    {{0.50, "p50"}, {0.90, "p90"}, {0.99, "p99"}, {0.999, "p99.9"}}};

constexpr int middle_bars = 16;
constexpr std::size_t bar_width = 40;

struct Bar {
  std::uint64_t low;
  std::uint64_t high;
  std::uint64_t count = 0;
};

// The bars' bounds: the minimum, 17 edges log-spaced from p0.1 to p99.9,
// and the maximum; a bar whose bounds meet is left out.
std::vector<Bar> bars_of(const Histogram& latency) {
  const double low = static_cast<double>(std::max<std::uint64_t>(latency.percentile(0.001), 1));
  const double high = std::max(static_cast<double>(latency.percentile(0.999)), low);
  std::vector<std::uint64_t> edges{latency.min()};
  for (int i = 0; i <= middle_bars; ++i) {
    edges.push_back(static_cast<std::uint64_t>(
        std::llround(low * std::pow(high / low, 1.0 * i / middle_bars))));
  }
  edges.push_back(latency.max());
  std::vector<Bar> bars;
  for (std::size_t i = 1; i < edges.size(); ++i) {
    if (edges[i] > edges[i - 1]) bars.push_back({edges[i - 1], edges[i]});
  }
  if (bars.empty()) bars.push_back({latency.min(), latency.max()});
  return bars;
}

}  // namespace

std::string duration_text(std::uint64_t nanoseconds) {
  const double us = static_cast<double>(nanoseconds) / 1000.0;
  if (us < 1000.0) return fmt::format("{:.1f}us", us);
  if (us < 1'000'000.0) return fmt::format("{:.2f}ms", us / 1000.0);
  return fmt::format("{:.2f}s", us / 1'000'000.0);
}

std::string percentiles_text(const Histogram& latency) {
  std::string line;
  for (const auto& [fraction, name] : percentiles) {
    line += fmt::format(" {} {}", name, duration_text(latency.percentile(fraction)));
  }
  return fmt::format("{} max {}", line, duration_text(latency.max()));
}

void draw_latency_bars(const Histogram& latency, Output& out) {
  auto bars = bars_of(latency);
  hdr_iter iter;
  hdr_iter_recorded_init(&iter, latency.hdr());
  while (hdr_iter_next(&iter)) {
    // A value belongs to the first bar whose upper bound it does not pass.
    const auto value = static_cast<std::uint64_t>(iter.value);
    auto bar =
        std::find_if(bars.begin(), bars.end(), [&](const Bar& b) { return value <= b.high; });
    if (bar == bars.end()) bar = std::prev(bars.end());
    bar->count += static_cast<std::uint64_t>(iter.count);
  }
  std::uint64_t fullest = 1;
  for (const auto& bar : bars) fullest = std::max(fullest, bar.count);
  out.print("  latency histogram");
  for (const auto& bar : bars) {
    const auto width = static_cast<std::size_t>(std::lround(1.0 * bar_width * bar.count / fullest));
    std::string drawn;
    for (std::size_t i = 0; i < width; ++i) drawn += "\u2588";
    out.print("  {:>9} - {:<9} {:<40} {:5.1f}%", duration_text(bar.low), duration_text(bar.high),
              drawn, 100.0 * static_cast<double>(bar.count) / static_cast<double>(latency.count()));
  }
}

}  // namespace tcpecho

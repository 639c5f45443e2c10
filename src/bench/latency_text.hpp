// How bench writes latencies for people: one duration ("41.3us"), a run's
// percentiles on one line, and the distribution's shape as bars.
#pragma once

#include <cstdint>
#include <string>

#include "bench/histogram.hpp"
#include "output/output.hpp"

namespace tcpecho {

std::string duration_text(std::uint64_t nanoseconds);

// " p50 41.3us p90 52.0us p99 80.1us p99.9 1.20ms max 3.40ms"
std::string percentiles_text(const Histogram& latency);

// Log-spaced bars between p0.1 and p99.9 (where the run's shape is), with one
// more for the fastest 0.1% and one for the slowest, each with its share.
void draw_latency_bars(const Histogram& latency, Output& out);

}  // namespace tcpecho

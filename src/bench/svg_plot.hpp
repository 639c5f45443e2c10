// bench's picture (--svg): one self-contained SVG, no script and no font
// but the viewer's own sans-serif. Its first panel is the latency percentile
// spectrum as HdrHistogram's plotters draw it: latency against percentile on
// a 1/(1-percentile) axis (90%, 99%, 99.9% ... equally apart), a line per
// target and one for all. With --interval, a second panel gives operations/s
// and p99 over the run.
#pragma once

#include <string>

#include "bench/bench.hpp"

namespace tcpecho {

std::string svg_plot(const BenchConfig& config, const BenchResult& result);

}  // namespace tcpecho

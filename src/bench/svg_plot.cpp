// bench's SVG picture: see svg_plot.hpp.
#include "bench/svg_plot.hpp"

#include <hdr/hdr_histogram.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "bench/latency_text.hpp"

namespace tcpecho {
namespace {

constexpr double width = 900, panel = 360, left = 80, right = 80, top = 50, bottom = 60;
constexpr std::array<const char*, 6> colours{"#1f77b4", "#d62728", "#2ca02c",
                                             "#9467bd", "#ff7f0e", "#8c564b"};

using Points = std::vector<std::pair<double, double>>;

// Where `value` falls on an axis from 0 to `high`, drawn from `from` to `to`.
double scaled(double value, double high, double from, double to) {
  return from + (high > 0 ? value / high : 0) * (to - from);
}

// The spectrum's points: x is log10(1/(1-p)), so 90% is 1 and 99.9% is 3.
Points spectrum(const Histogram& latency) {
  Points points;
  hdr_iter iter;
  hdr_iter_percentile_init(&iter, latency.hdr(), 5);
  while (hdr_iter_next(&iter)) {
    const double p = iter.specifics.percentiles.percentile / 100.0;
    if (p >= 1.0) break;
    points.emplace_back(std::log10(1.0 / (1.0 - p)), static_cast<double>(iter.value));
  }
  return points;
}

std::string polyline(const Points& points, double x_high, double y_high, double y0,
                     const char* colour) {
  std::string svg =
      fmt::format(R"(<polyline fill="none" stroke="{}" stroke-width="2" points=")", colour);
  for (const auto& [x, y] : points) {
    svg += fmt::format("{:.1f},{:.1f} ", scaled(x, x_high, left, width - right),
                       scaled(y, y_high, y0 + panel - bottom, y0 + top));
  }
  return svg + "\"/>\n";
}

std::string text(double x, double y, std::string_view words, const char* anchor = "middle",
                 const char* colour = "#333") {
  std::string escaped;
  for (const char c : words) {
    escaped += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
  }
  return fmt::format(
      R"(<text x="{:.1f}" y="{:.1f}" text-anchor="{}" fill="{}" font-family="sans-serif" )"
      R"(font-size="13">{}</text>)"
      "\n",
      x, y, anchor, colour, escaped);
}

// A panel's frame, its title and its y axis' top value.
std::string frame(double y0, std::string_view title, std::string_view y_top) {
  std::string svg =
      fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#999"/>)"
                  "\n",
                  left, y0 + top, width - left - right, panel - top - bottom);
  svg += text(width / 2, y0 + top - 15, title);
  svg += text(left - 6, y0 + top + 4, y_top, "end");
  return svg + text(left - 6, y0 + panel - bottom + 4, "0", "end");
}

// The percentile axis: a tick at 0%, 90%, 99% ... up to what was measured.
std::string percentile_ticks(double x_high, double y0) {
  std::string svg;
  constexpr std::array<const char*, 7> names{"0%",     "90%",     "99%",     "99.9%",
                                             "99.99%", "99.999%", "99.9999%"};
  for (std::size_t i = 0; i < names.size() && static_cast<double>(i) <= x_high; ++i) {
    const double x = scaled(static_cast<double>(i), x_high, left, width - right);
    svg += fmt::format(R"(<line x1="{0:.1f}" y1="{1}" x2="{0:.1f}" y2="{2}" stroke="#ddd"/>)"
                       "\n",
                       x, y0 + top, y0 + panel - bottom);
    svg += text(x, y0 + panel - bottom + 18, names[i]);
  }
  return svg + text(width / 2, y0 + panel - 15, "percentile");
}

// The latencies of each target (and of all, with several).
std::vector<std::pair<std::string, const Histogram*>> series_of(const BenchConfig& config,
                                                                const BenchResult& result) {
  std::vector<std::pair<std::string, const Histogram*>> series;
  if (config.targets.size() > 1) series.emplace_back("all", &result.latency_ns);
  for (std::size_t t = 0; t < result.targets.size() && t < config.targets.size(); ++t) {
    series.emplace_back(config.targets[t].name(), &result.targets[t].latency_ns);
  }
  return series;
}

std::string spectrum_panel(const BenchConfig& config, const BenchResult& result) {
  std::vector<std::pair<std::string, Points>> lines;
  double x_high = 1, y_high = 1;
  for (const auto& [name, latency] : series_of(config, result)) {
    lines.emplace_back(name, spectrum(*latency));
    for (const auto& [x, y] : lines.back().second) {
      x_high = std::max(x_high, std::ceil(x));
      y_high = std::max(y_high, y);
    }
  }
  std::string svg =
      frame(0, fmt::format("tcpecho bench {}: latency by percentile", mode_name(config.mode)),
            duration_text(static_cast<std::uint64_t>(y_high)));
  svg += percentile_ticks(x_high, 0);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto* colour = colours[i % colours.size()];
    svg += polyline(lines[i].second, x_high, y_high, 0, colour);
    svg += text(left + 8, top + 18 + 16 * static_cast<double>(i), lines[i].first, "start", colour);
  }
  return svg;
}

// Operations/s (left axis) and p99 (right axis) over the run.
std::string intervals_panel(const BenchResult& result, double y0) {
  Points rate, p99;
  double x_high = 0, rate_high = 1, p99_high = 1;
  for (const auto& slice : result.intervals) {
    const double x = slice.offset + slice.seconds;
    const double per_s = per_second(slice.operations, slice.seconds);
    rate.emplace_back(x, per_s);
    p99.emplace_back(x, static_cast<double>(slice.latency_ns.percentile(0.99)));
    x_high = std::max(x_high, x);
    rate_high = std::max(rate_high, per_s);
    p99_high = std::max(p99_high, p99.back().second);
  }
  std::string svg =
      frame(y0, "operations/s and p99 over the run", fmt::format("{:.0f}/s", rate_high));
  svg += text(left + 8, y0 + top + 18, "operations/s", "start", colours[0]);
  svg += text(left + 8, y0 + top + 34, "p99 latency (right axis)", "start", colours[1]);
  svg += text(width - right + 6, y0 + top + 4, duration_text(static_cast<std::uint64_t>(p99_high)),
              "start", colours[1]);
  svg += text(width / 2, y0 + panel - 15, fmt::format("seconds (0 to {:.1f})", x_high));
  svg += polyline(rate, x_high, rate_high, y0, colours[0]);
  return svg + polyline(p99, x_high, p99_high, y0, colours[1]);
}

}  // namespace

std::string svg_plot(const BenchConfig& config, const BenchResult& result) {
  const bool over_time = !result.intervals.empty();
  const double height = panel * (over_time ? 2 : 1);
  std::string svg = fmt::format(
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      "\n"
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}">)"
      "\n"
      R"(<rect width="100%" height="100%" fill="white"/>)"
      "\n",
      width, height);
  svg += spectrum_panel(config, result);
  if (over_time) svg += intervals_panel(result, panel);
  return svg + "</svg>\n";
}

}  // namespace tcpecho

// bench's --interval series: see interval_series.hpp.
#include "bench/interval_series.hpp"

#include "bench/latency_text.hpp"
#include "net/endpoints.hpp"
#include "output/json_line.hpp"

namespace tcpecho {
std::string interval_json(const BenchInterval& interval, double start_time) {
  const auto& latency = interval.latency_ns;
  return fmt::format(
      R"("start": {:.6f}, "seconds": {:.6f}, "operations": {}, "ops_per_s": {:.3f}, )"
      R"("bytes": {}, "mb_per_s": {:.6f}, "errors": {}, "p50_us": {:.3f}, "p99_us": {:.3f}, )"
      R"("histogram": {{"unit": "ns", "hdr": "{}"}})",
      start_time + interval.offset, interval.seconds, interval.operations,
      per_second(interval.operations, interval.seconds), interval.bytes,
      per_second(interval.bytes, interval.seconds) / 1e6, interval.errors,
      microseconds(latency.percentile(0.50)), microseconds(latency.percentile(0.99)),
      latency.encoded());
}

IntervalSeries::IntervalSeries(const BenchConfig& config, std::size_t threads, double start_time,
                               Output& out, ReportFiles& files)
    : config_(config), threads_(threads), start_time_(start_time), out_(out), files_(files) {
  files_.begin_log(start_time);
}

void IntervalSeries::add(std::size_t index, const std::vector<BenchInterval>& share) {
  if (intervals_.size() <= index) {
    intervals_.resize(index + 1, std::vector<BenchInterval>(config_.targets.size()));
    shares_.resize(index + 1);
  }
  for (std::size_t t = 0; t < share.size(); ++t) intervals_[index][t].add(share[t]);
  ++shares_[index];
  while (completed_ < intervals_.size() && shares_[completed_] == threads_) {
    complete(intervals_[completed_++]);
  }
}

std::vector<BenchInterval> IntervalSeries::finish(const BenchResult& run) {
  if (config_.interval.count() == 0) {
    for (std::size_t t = 0; t < run.targets.size(); ++t) {
      files_.log(run.targets[t], start_time_, config_.targets[t].name());
    }
    return {};
  }
  while (completed_ < intervals_.size()) complete(intervals_[completed_++]);
  return std::move(totals_);
}

void IntervalSeries::complete(const std::vector<BenchInterval>& per_target) {
  BenchInterval interval;
  for (std::size_t t = 0; t < per_target.size(); ++t) {
    files_.log(per_target[t], start_time_, config_.targets[t].name());
    interval.add(per_target[t]);
  }
  totals_.push_back(interval);
  if (config_.json) return;  // the series is in the one object at the end
  if (config_.log_format == LogFormat::json) {
    out_.json_line(JsonLine("interval").members(interval_json(interval, start_time_)).str());
    return;
  }
  const auto measures = measures_of(config_.mode);
  std::string line = fmt::format("  {:7.1f}s-{:.1f}s  {:10.1f} ops/s", interval.offset,
                                 interval.offset + interval.seconds,
                                 per_second(interval.operations, interval.seconds));
  if (measures.throughput) {
    line += fmt::format("  {:8.2f} MB/s", per_second(interval.bytes, interval.seconds) / 1e6);
  }
  if (measures.latency) {
    line += fmt::format("  p50 {}  p99 {}", duration_text(interval.latency_ns.percentile(0.50)),
                        duration_text(interval.latency_ns.percentile(0.99)));
  }
  out_.line(fmt::format("{}  {} error{}", line, interval.errors, interval.errors == 1 ? "" : "s"));
}

}  // namespace tcpecho

// bench's --interval series as the run goes: each thread's share of an
// interval (a part per target) arrives on the main thread, and once every
// thread's share is in (or the run is over) the interval is complete: it is
// printed, a line or a JSON "interval" event, logged to the .hlog (a line
// per target), and kept for the report.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/report_files.hpp"

namespace tcpecho {

// An interval's members in bench's JSON: "start" (Unix time), "seconds",
// counts, rates, p50/p99 and the histogram in HdrHistogram's compressed form.
std::string interval_json(const BenchInterval& interval, double start_time);

class IntervalSeries {
 public:
  IntervalSeries(const BenchConfig& config, std::size_t threads, double start_time, Output& out,
                 ReportFiles& files);

  void add(std::size_t index, const std::vector<BenchInterval>& share);
  // The run is over: what is still incomplete is complete as it is. With
  // no --interval, the whole run is the .hlog's one interval.
  std::vector<BenchInterval> finish(const BenchResult& run);

 private:
  void complete(const std::vector<BenchInterval>& per_target);

  const BenchConfig& config_;
  std::size_t threads_;
  double start_time_;
  Output& out_;
  ReportFiles& files_;
  std::vector<std::vector<BenchInterval>> intervals_;  // per target
  std::vector<BenchInterval> totals_;                  // of those complete
  std::vector<std::size_t> shares_;                    // how many threads' shares each has
  std::size_t completed_ = 0;                          // intervals printed, in order
};

}  // namespace tcpecho

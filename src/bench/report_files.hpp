// The files bench (and bench merge) writes beside its report, in
// HdrHistogram's own formats for the tools that read them
// (HistogramLogProcessor, the HdrHistogram plotters), and a picture:
//  --percentiles FILE  the run's percentile distribution (.hgrm), as
//                      HdrHistogram prints it, values in microseconds;
//  --hdr-log FILE      an interval log (.hlog, format 1.3): each interval's
//                      histogram (in nanoseconds) on its wall-clock start,
//                      tagged with the target it measured;
//  --svg FILE          the picture svg_plot.hpp draws.
// All are opened before the run, so a path that cannot be written stops
// bench before it loads anything.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "bench/bench.hpp"

namespace tcpecho {

class ReportFiles {
 public:
  explicit ReportFiles(const BenchConfig& config);

  // The .hlog's header: the run's start, as Unix time in seconds.
  void begin_log(double start_time);
  void log(const BenchInterval& interval, double start_time, const std::string& tag);
  // The run is over: the .hgrm and the picture.
  void finish(const BenchResult& result);

  // What could not be written, in words; empty if everything was.
  const std::string& failure() const { return failure_; }

 private:
  struct Close {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  using File = std::unique_ptr<std::FILE, Close>;

  static File open(const std::string& path, const char* option);
  void check(int result, const std::string& path);

  const BenchConfig& config_;
  File percentiles_;
  File log_;
  File svg_;
  std::string failure_;
};

}  // namespace tcpecho

// bench's .hgrm, .hlog and .svg files: see report_files.hpp.
#include "bench/report_files.hpp"

#include <hdr/hdr_histogram.h>
#include <hdr/hdr_histogram_log.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "bench/svg_plot.hpp"

namespace tcpecho {
namespace {

constexpr double nanoseconds_per_microsecond = 1e3;  // loopback round trips are microseconds
constexpr int ticks_per_half_distance = 5;           // as HdrHistogram's own tools print

hdr_timespec timespec_of(double seconds) {
  hdr_timespec t{};
  t.tv_sec = static_cast<decltype(t.tv_sec)>(std::floor(seconds));
  t.tv_nsec = static_cast<decltype(t.tv_nsec)>(std::llround((seconds - std::floor(seconds)) * 1e9));
  return t;
}

}  // namespace

ReportFiles::ReportFiles(const BenchConfig& config)
    : config_(config),
      percentiles_(open(config.percentiles_path, "--percentiles")),
      log_(open(config.hdr_log_path, "--hdr-log")),
      svg_(open(config.svg_path, "--svg")) {}

ReportFiles::File ReportFiles::open(const std::string& path, const char* option) {
  if (path.empty()) return nullptr;
  File file(std::fopen(path.c_str(), "w"));
  if (!file) {
    throw StartupError(ExitStatus::output_failed,
                       fmt::format("cannot write {} {}: {}", option, path, std::strerror(errno)));
  }
  return file;
}

void ReportFiles::check(int result, const std::string& path) {
  if (result != 0 && failure_.empty()) {
    failure_ = fmt::format("cannot write {}: {}", path, hdr_strerror(result));
  }
}

// HdrHistogram's Java log header, which its readers (C and Java) parse:
// timestamps on the entries are absolute, as BaseTime 0 says, so logs from
// several machines line up.
void ReportFiles::begin_log(double start_time) {
  if (!log_) return;
  const auto seconds = static_cast<std::time_t>(start_time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &utc);
  const int written = std::fprintf(
      log_.get(),
      "#[Logged with tcpecho %s]\n#[Histogram log format version 1.3]\n"
      "#[StartTime: %.3f (seconds since epoch), %s]\n#[BaseTime: 0.000 (seconds since epoch)]\n"
      "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n",
      TCPECHO_VERSION, start_time, date);
  check(written < 0 ? EIO : 0, config_.hdr_log_path);
}

void ReportFiles::log(const BenchInterval& interval, double start_time, const std::string& tag) {
  if (!log_) return;
  hdr_log_writer writer;
  hdr_log_writer_init(&writer);
  hdr_log_entry entry{};
  entry.start_timestamp = timespec_of(start_time + interval.offset);
  entry.interval = timespec_of(interval.seconds);
  entry.tag = const_cast<char*>(tag.c_str());  // only read
  entry.tag_len = tag.size();
  check(hdr_log_write_entry(&writer, log_.get(), &entry, interval.latency_ns.hdr()),
        config_.hdr_log_path);
  std::fflush(log_.get());
}

void ReportFiles::finish(const BenchResult& result) {
  if (percentiles_) {
    check(hdr_percentiles_print(result.latency_ns.hdr(), percentiles_.get(),
                                ticks_per_half_distance, nanoseconds_per_microsecond, CLASSIC),
          config_.percentiles_path);
    check(std::fflush(percentiles_.get()) != 0 ? EIO : 0, config_.percentiles_path);
  }
  if (svg_) {
    const auto picture = svg_plot(config_, result);
    const bool written =
        std::fwrite(picture.data(), 1, picture.size(), svg_.get()) == picture.size() &&
        std::fflush(svg_.get()) == 0;
    check(written ? 0 : EIO, config_.svg_path);
  }
}

}  // namespace tcpecho

// bench merge: see bench_merge.hpp.
#include "bench/bench_merge.hpp"

#include <algorithm>
#include <cmath>

#include "bench/report_files.hpp"
#include "bench/run_file.hpp"

namespace tcpecho {
namespace {

// The message's bytes back from the JSON's base64.
std::string base64_decoded(std::string_view text) {
  static constexpr std::string_view digits =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  std::uint32_t group = 0;
  int bits = 0;
  for (const char c : text) {
    const auto value = digits.find(c);
    if (value == std::string_view::npos) continue;  // padding
    group = group << 6 | static_cast<std::uint32_t>(value);
    if ((bits += 6) >= 8) bytes += static_cast<char>(group >> (bits -= 8) & 0xff);
  }
  return bytes;
}

// Refuses a run that was not the same load as the first.
void check_goes_with(const RunFile& first, const RunFile& run) {
  const auto refuse = [&](std::string_view what, const auto& theirs, const auto& ours) {
    throw StartupError(ExitStatus::usage, fmt::format("{} does not go with {}: {} {}, not {}",
                                                      run.name, first.name, what, theirs, ours));
  };
  const auto& a = first.config;
  const auto& b = run.config;
  if (a.mode != b.mode) refuse("mode", mode_name(b.mode), mode_name(a.mode));
  if (a.size != b.size) refuse("size", b.size, a.size);
  if (first.message_base64 != run.message_base64) {
    refuse("message (base64)", run.message_base64, first.message_base64);
  }
  if (a.interval != b.interval) {
    refuse("interval", seconds_text(b.interval), seconds_text(a.interval));
  }
}

// Where `name` is among the merged targets, adding it if new.
std::size_t target_index(std::vector<BenchTarget>& targets, const BenchTarget& target) {
  for (std::size_t t = 0; t < targets.size(); ++t) {
    if (targets[t].name() == target.name()) return t;
  }
  targets.push_back(target);
  return targets.size() - 1;
}

// One run into the merged result: its targets by name, its intervals by
// their wall-clock start.
void add_run(RunFile& run, BenchConfig& config, BenchResult& merged) {
  std::vector<BenchInterval> targets;
  for (std::size_t t = 0; t < run.result.targets.size(); ++t) {
    const auto index = target_index(config.targets, run.config.targets[t]);
    targets.resize(std::max(targets.size(), index + 1));
    targets[index] = run.result.targets[t];
  }
  run.result.targets = std::move(targets);
  merged.merge(run.result);
  const double interval = seconds_of(config.interval);
  for (auto& slice : run.result.intervals) {
    const auto start = run.result.start_time + slice.offset;
    const auto k =
        static_cast<std::size_t>(std::max(0.0, std::round((start - merged.start_time) / interval)));
    merged.intervals.resize(std::max(merged.intervals.size(), k + 1));
    slice.offset = static_cast<double>(k) * interval;
    merged.intervals[k].add(slice);
  }
}

}  // namespace

ExitStatus merge_runs(const MergeConfig& options, Output& out) {
  std::vector<RunFile> runs;
  for (const auto& path : options.files) runs.push_back(read_run_file(path));
  for (const auto& run : runs) check_goes_with(runs.front(), run);

  BenchConfig config = runs.front().config;
  config.targets.clear();
  config.connections = 0;
  config.message = base64_decoded(runs.front().message_base64);
  config.json = options.json;
  config.histogram = options.histogram;
  config.log_format = options.log_format;
  config.percentiles_path = options.percentiles_path;
  config.svg_path = options.svg_path;
  BenchResult merged;
  double end = 0;
  merged.start_time = runs.front().result.start_time;
  for (const auto& run : runs) {
    merged.start_time = std::min(merged.start_time, run.result.start_time);
    end = std::max(end, run.result.start_time + run.result.seconds);
    config.connections += run.config.connections;
  }
  for (auto& run : runs) add_run(run, config, merged);
  merged.seconds = end - merged.start_time;
  for (auto& target : merged.targets) target.seconds = merged.seconds;

  ReportFiles files(config);
  files.finish(merged);
  merged.output_failure = files.failure();
  return report_bench(config, merged, out);
}

}  // namespace tcpecho

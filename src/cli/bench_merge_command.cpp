// `tcpecho bench merge`'s options: the runs to combine, and how to report
// them.
#include "cli/cli_options.hpp"
#include "cli/subcommands.hpp"

namespace tcpecho {

CLI::App* add_bench_merge(CLI::App& bench, MergeConfig& config) {
  CLI::App* merge = bench.add_subcommand(
      "merge",
      "Combine the --json output of several bench runs (from several machines, or one) exactly, "
      "as if one bench had run them all: counts summed, histograms added bucket by bucket, "
      "intervals aligned on their wall-clock start, rates over the merged window. Runs of "
      "another mode, size, message or interval are refused.");
  merge->add_option("FILE", config.files, "bench --json output; - for standard input")
      ->required()
      ->type_name("FILE...");
  add_report_format_options(
      *merge, config.json, config.log_format, config.histogram,
      "Print the merged report as one JSON object",
      "Draw the merged latency histogram: log-spaced bars from p0.1 to p99.9");
  merge
      ->add_option("--percentiles", config.percentiles_path,
                   "Write the merged percentile distribution as HdrHistogram prints it (.hgrm, "
                   "microseconds)")
      ->type_name("FILE");
  merge
      ->add_option("--svg", config.svg_path,
                   "Draw the merged latency percentile spectrum (and with intervals, throughput "
                   "and p99 over time) as one self-contained SVG")
      ->type_name("FILE");
  return merge;
}

}  // namespace tcpecho

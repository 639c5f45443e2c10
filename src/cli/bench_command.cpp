// `tcpecho bench`'s options, in groups as --help shows them: the target, the
// load (mode, connections, duration), how connections are made
// (bench_connections.cpp), the traffic on each, the report, TLS.
#include <algorithm>

#include "bench/pattern.hpp"  // max_slice
#include "cli/bench_connections.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_tls.hpp"
#include "cli/subcommands.hpp"

namespace tcpecho {
namespace {

// What bench's load is: its mode, how many connections, for how long.
void describe_load(CLI::App& bench, BenchConfig& config) {
  add_choice_option(
      bench, "--mode", config.mode,
      {{"rr", BenchConfig::Mode::rr},
       {"stream", BenchConfig::Mode::stream},
       {"exchange", BenchConfig::Mode::exchange},
       {"idle", BenchConfig::Mode::idle},
       {"flood", BenchConfig::Mode::flood}},
      "rr: request/response of SIZE bytes against an echo server; stream: a window "
      "of SIZE-byte writes in flight, echoed stream verified; exchange: connect, send "
      "--message, half-close, read the reply to the end, compare with --expect; flood: send "
      "--message, then SIZE-byte "
      "writes without reading (load beside another bench); idle: hold the connections, then "
      "check each still answers");
  bench.add_option("-c,--connections", config.connections, "Connections open at once")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}).description(""))
      ->capture_default_str();
  add_threads_option(bench, config.threads,
                     "Threads generating load, each with its own connections");
  // A thousandth of a second at least: a rate over no time at all is no rate.
  add_seconds_option(bench, "-d,--duration", config.duration, "How long to measure", 0.001);
  add_seconds_option(bench, "--warmup", config.warmup, "Load before measuring, not counted");
}

// What each of bench's connections sends, and what it must get back.
void describe_traffic(CLI::App& bench, BenchConfig& config) {
  bench
      .add_option("-s,--size", config.size,
                  "rr: bytes per request; stream and flood: bytes per write; 1 to 1048576")
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{1}, max_slice).description(""))
      ->capture_default_str();
  add_per_second_option(bench, "--rate", config.rate, 1e9,
                        "rr: requests per second in all, sent on schedule (open loop); latency "
                        "counts from when each was due. 0: as fast as replies come");
  bench
      .add_option("--window", config.window,
                  "stream: bytes in flight per connection at most; 0 means four writes' worth")
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 30).description(""))
      ->capture_default_str();
  bench.add_flag(
      "--echo-first", config.echo_first,
      "idle: have 16 bytes echoed on each connection before holding it (an echo server's "
      "connections that have served once)");
  add_bytes_option(bench, "--message", config.message, "exchange and idle: what to send");
  add_bytes_option(bench, "--expect", config.expect,
                   "exchange and idle: the reply required (with --echo-first, the message)");
}

// What bench reports as it goes, and the files it writes in HdrHistogram's
// formats.
void describe_files(CLI::App& bench, BenchConfig& config) {
  add_seconds_option(bench, "--interval", config.interval,
                     "Print a line per interval of this many seconds (operations/s, MB/s, p50, "
                     "p99, errors) while the run goes on; --json carries the series",
                     0.001);
  bench
      .add_option("--percentiles", config.percentiles_path,
                  "Write the percentile distribution as HdrHistogram prints it (.hgrm, "
                  "microseconds)")
      ->type_name("FILE");
  bench
      .add_option("--svg", config.svg_path,
                  "Draw the latency percentile spectrum, per target (and with --interval, "
                  "operations/s and p99 over time) as one self-contained SVG")
      ->type_name("FILE");
  bench
      .add_option("--hdr-log", config.hdr_log_path,
                  "Write each interval's latency histogram as an HdrHistogram interval log "
                  "(.hlog, nanoseconds); with no --interval, the run is one interval")
      ->type_name("FILE");
}

}  // namespace

CLI::App* add_bench(CLI::App& app, BenchConfig& config, TlsRequest<TlsClientOptions>& tls,
                    EndpointRequest& endpoint) {
  CLI::App* bench = app.add_subcommand(
      "bench",
      "Load a TCP server and report operations/s, MB/s, latency percentiles and errors by "
      "kind; every byte that comes back is checked. Any error makes the exit status 5; 4 if no "
      "connection could be made at all.");
  endpoint.port_zero_allowed = false;
  bench->option_defaults()->group("Target");
  add_endpoint_options(*bench, endpoint, config.host, config.port, config.timeout,
                       "Server name or IPv4/IPv6 address", "Port the server listens on",
                       "Count an operation that takes longer than this as a timeout error; 0 "
                       "means never");
  add_unix_option(*bench, endpoint, config.unix_path, "Load the server on this Unix domain socket");
  add_target_option(*bench, config);
  bench->option_defaults()->group("Load");
  describe_load(*bench, config);
  bench->option_defaults()->group("Connections");
  describe_connections(*bench, config);
  bench->option_defaults()->group("Traffic");
  describe_traffic(*bench, config);
  bench->option_defaults()->group("Report");
  add_report_format_options(*bench, config.json, config.log_format, config.histogram,
                            "Print one JSON object: rates, percentiles, errors by kind and the "
                            "histogram in HdrHistogram's compressed form",
                            "Draw the latency histogram: log-spaced bars from p0.1 to p99.9");
  describe_files(*bench, config);
  bench->option_defaults()->group("TLS");
  add_tls_client_options(*bench, tls, true);
  return bench;
}

void settle_bench(const CLI::App& bench, const EndpointRequest& endpoint, BenchConfig& config) {
  using Mode = BenchConfig::Mode;
  const auto mode = config.mode;
  const auto only = [](const char* modes) {
    return fmt::format("applies to --mode {} only", modes);
  };
  refuse_unless(bench, "--rate", mode == Mode::rr, only("rr"));
  refuse_unless(bench, "--window", mode == Mode::stream, only("stream"));
  refuse_unless(bench, "--echo-first", mode == Mode::idle, only("idle"));
  refuse_unless(bench, "--size", mode == Mode::rr || mode == Mode::stream || mode == Mode::flood,
                only("rr, stream and flood"));
  refuse_unless(bench, "--message",
                mode == Mode::exchange || mode == Mode::idle || mode == Mode::flood,
                only("exchange, idle and flood"));
  refuse_unless(bench, "--expect", mode == Mode::exchange || mode == Mode::idle,
                only("exchange and idle"));
  refuse_unless(bench, "--tls-resume", mode == Mode::exchange, only("exchange"));
  settle_targets(endpoint, config);
  const bool unix_only = std::all_of(config.targets.begin(), config.targets.end(),
                                     [](const BenchTarget& t) { return !t.unix_path.empty(); });
  refuse_unless(bench, "--source", !unix_only, "applies to TCP only, not --unix");
  // An echo server's answer to the closing check is the message itself.
  if (config.echo_first && bench.get_option("--expect")->count() == 0) {
    config.expect = config.message;
  }
}

}  // namespace tcpecho

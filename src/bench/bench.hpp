// `tcpecho bench`: a load generator that checks every byte it gets back.
//
// Each thread runs its own io_context with its share of the connections and
// keeps its own counters and latency histogram; they are merged once, at the
// end. Buffers are allocated when a connection starts, so the per-message path
// allocates nothing and takes no lock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/histogram.hpp"
#include "bench/tcp_summary.hpp"
#include "config/bench_config.hpp"
#include "exit_status.hpp"
#include "output/output.hpp"
#include "tls/tls_facts.hpp"

namespace tcpecho {

enum class BenchError { mismatch, short_reply, reset, timeout, connect_failed, other, count };
std::string_view error_name(BenchError kind);

// One --interval of the measured window, from every thread: its counts and
// latencies. The last may be shorter. (A target's share of the whole run is
// counted the same way.)
struct BenchInterval {
  double offset = 0;   // seconds from the start of the measured window
  double seconds = 0;  // its length
  std::uint64_t operations = 0;
  std::uint64_t bytes = 0;
  std::uint64_t errors = 0;
  Histogram latency_ns;

  void add(const BenchInterval& other);
};

struct BenchResult {
  Histogram latency_ns;
  std::uint64_t operations = 0;
  std::uint64_t bytes = 0;  // received back and verified
  std::array<std::uint64_t, static_cast<std::size_t>(BenchError::count)> errors{};
  // The first error of each kind, in words: the system's reason, or where a
  // reply first differed from what was expected.
  std::array<std::string, static_cast<std::size_t>(BenchError::count)> first_error;
  // The measured window as it was: from the warm-up's end to -d, or to the
  // signal that cut the run short, or to when the last connection ended.
  double seconds = 0;
  double start_time = 0;                 // when the measured window began, Unix time in seconds
  std::vector<BenchInterval> intervals;  // with --interval
  std::vector<BenchInterval> targets;    // each target's share of the run, in order
  int stopped_by_signal = 0;             // SIGINT, SIGTERM, SIGHUP: the run was cut short
  // What went wrong inside bench itself, if anything did.
  std::string internal_failure;
  // What bench could not write to its --percentiles or --hdr-log file.
  std::string output_failure;
  // TLS: what the first handshake settled, and every handshake in the
  // measured window, full and resumed apart.
  std::optional<TlsFacts> tls;
  Histogram connect_ns;     // connect() until established
  Histogram first_byte_ns;  // exchange: the message sent until the reply's first byte
  TcpSummary tcp;           // TCP_INFO of each TCP connection at its end
  Histogram full_handshake_ns;
  Histogram resumed_handshake_ns;

  std::uint64_t error_total() const;
  void merge(const BenchResult& other);
};

// A count over a window of `seconds`; none measured, no rate.
double per_second(std::uint64_t count, double seconds);

// What a mode measures: a size per operation, bytes, and a latency. The
// report gives these and leaves out what the mode does not measure.
struct Measures {
  bool size;
  bool throughput;
  bool latency;
};
Measures measures_of(BenchConfig::Mode mode);

// "rr", "stream", "exchange", "idle", "flood": as --mode takes them.
std::string_view mode_name(BenchConfig::Mode mode);

// Runs the load; `out` gets the live progress line. The first SIGINT,
// SIGTERM or SIGHUP ends the run early (stopped_by_signal); a second exits
// at once.
BenchResult run_bench(const BenchConfig& config, Output& out);

// Prints the report (text or JSON) and returns the exit status: non-zero if
// there was any error.
ExitStatus report_bench(const BenchConfig& config, const BenchResult& result, Output& out);

}  // namespace tcpecho

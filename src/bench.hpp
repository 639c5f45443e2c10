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

#include "exit_status.hpp"
#include "histogram.hpp"
#include "output.hpp"
#include "tls_config.hpp"
#include "tls_facts.hpp"

namespace tcpecho {

using namespace std::chrono_literals;

struct BenchConfig {
  enum class Mode {
    rr,        // send SIZE bytes, wait for exactly those back, compare, repeat
    stream,    // keep a window of bytes in flight, verify the echoed stream
    exchange,  // the seed's protocol as connection churn: connect, send, read to EOF
    idle,      // hold connections open, then check each still answers
    flood,     // send the message, then keep sending without reading: load beside another bench
  };
  Mode mode = Mode::rr;
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::string unix_path;  // instead of host and port, when given
  std::size_t connections = 50;
  std::chrono::milliseconds duration = 5s;
  std::chrono::milliseconds warmup = 1s;
  std::size_t size = 128;   // rr: request size; stream and flood: bytes per write
  std::size_t window = 0;   // stream: bytes in flight at most; 0: four writes' worth
  bool echo_first = false;  // idle: have 16 bytes echoed before holding
  double rate = 0;          // rr: requests per second in all, open loop; 0: closed loop
  std::size_t threads = 1;
  std::string message = "Greetings, server";  // exchange and idle
  std::string expect = "Goodbye, client!";    // exchange and idle
  std::chrono::milliseconds timeout = 10s;    // for any one operation
  bool json = false;
  bool histogram = false;
  std::optional<TlsClientOptions> tls;  // none: plain TCP
};

enum class BenchError { mismatch, short_reply, reset, timeout, connect_failed, other, count };
std::string_view error_name(BenchError kind);

struct BenchResult {
  Histogram latency_ns;
  std::uint64_t operations = 0;
  std::uint64_t bytes = 0;  // received back and verified
  std::array<std::uint64_t, static_cast<std::size_t>(BenchError::count)> errors{};
  double seconds = 0;  // the measured window
  // Why the first connection that could not connect could not, if one did.
  std::string connect_failure;
  // What went wrong inside bench itself, if anything did.
  std::string internal_failure;
  // TLS: what the first handshake settled, and every handshake in the
  // measured window, full and resumed apart.
  std::optional<TlsFacts> tls;
  Histogram full_handshake_ns;
  Histogram resumed_handshake_ns;

  std::uint64_t error_total() const;
  void merge(const BenchResult& other);
};

// Runs the load; `out` gets the live progress line.
BenchResult run_bench(const BenchConfig& config, Output& out);

// Prints the report (text or JSON) and returns the exit status: non-zero if
// there was any error.
ExitStatus report_bench(const BenchConfig& config, const BenchResult& result, Output& out);

}  // namespace tcpecho

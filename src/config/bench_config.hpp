// What `tcpecho bench` is asked to do, as the command line left it: every
// value already checked. Needs no Asio, so the CLI does not either.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/address_family.hpp"
#include "config/address_range.hpp"
#include "config/log_format.hpp"
#include "config/tls_config.hpp"
#include "seed.hpp"

namespace tcpecho {

using namespace std::chrono_literals;

// One server bench loads: a host and port, or a Unix socket's path.
struct BenchTarget {
  std::string host;
  std::uint16_t port = 0;
  std::string unix_path;

  // As --target takes it, and as the report and the .hlog's tags name it:
  // "127.0.0.1:3000", "[::1]:3000", "unix:/run/echo.sock".
  std::string name() const {
    if (!unix_path.empty()) return "unix:" + unix_path;
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  }
};

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
  AddressFamily family = AddressFamily::any;  // -4, -6: only addresses of that family
  std::string unix_path;                      // instead of host and port, when given
  // Settled: --target's in order, or the one --host, --port or --unix names;
  // connection i goes to target i modulo their number.
  std::vector<BenchTarget> targets;
  std::optional<AddressRange> source;  // bind each connection to the next of these
  std::size_t connections = 50;
  std::chrono::milliseconds duration = 5s;
  std::chrono::milliseconds warmup = 1s;
  std::optional<double> start_at;  // Unix time to begin at (several machines together)
  std::size_t size = 128;          // rr: request size; stream and flood: bytes per write
  std::size_t window = 0;          // stream: bytes in flight at most; 0: four writes' worth
  bool echo_first = false;         // idle: have 16 bytes echoed before holding
  double rate = 0;                 // rr: requests per second in all, open loop; 0: closed loop
  double connect_rate = 0;         // connections opened per second in all, at most; 0: no limit
  std::size_t threads = 1;
  std::string message{seed_greeting};       // exchange and idle
  std::string expect{seed_reply};           // exchange and idle
  std::chrono::milliseconds timeout = 10s;  // for any one operation
  bool json = false;
  LogFormat log_format = LogFormat::transcript;  // json: the report, as JSON, is one line too
  bool histogram = false;
  std::chrono::milliseconds interval{0};  // a report line per interval; 0: none
  std::string percentiles_path;           // .hgrm: the percentile distribution
  std::string hdr_log_path;               // .hlog: each interval's histogram
  std::string svg_path;                   // the picture
  std::optional<TlsClientOptions> tls;    // none: plain TCP
};

}  // namespace tcpecho

// How `tcpecho bench` reports: a few aligned lines for people (with an
// optional latency histogram drawn in the terminal), or one JSON object for
// scripts and plots, with the histogram's buckets so runs can be merged.
#include <algorithm>
#include <cmath>
#include <map>

#include "bench/bench.hpp"
#include "net/endpoints.hpp"

namespace tcpecho {
namespace {

constexpr std::array<std::pair<double, const char*>, 4> percentiles{
    {{0.50, "p50"}, {0.90, "p90"}, {0.99, "p99"}, {0.999, "p99.9"}}};

std::string_view mode_name(BenchConfig::Mode mode) {
  switch (mode) {
    case BenchConfig::Mode::rr:
      return "rr";
    case BenchConfig::Mode::stream:
      return "stream";
    case BenchConfig::Mode::exchange:
      return "exchange";
    case BenchConfig::Mode::flood:
      return "flood";
    case BenchConfig::Mode::idle:
      break;
  }
  return "idle";
}

double microseconds(std::uint64_t nanoseconds) { return static_cast<double>(nanoseconds) / 1000.0; }

// A JSON string: what the user typed (a host, a path) may hold any byte.
std::string json_string(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      quoted += '\\';
      quoted += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      quoted += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
    } else {
      quoted += c;
    }
  }
  return quoted + '"';
}

std::string duration_text(std::uint64_t nanoseconds) {
  const double us = microseconds(nanoseconds);
  if (us < 1000.0) return fmt::format("{:.1f}us", us);
  if (us < 1'000'000.0) return fmt::format("{:.2f}ms", us / 1000.0);
  return fmt::format("{:.2f}s", us / 1'000'000.0);
}

std::string errors_text(const BenchResult& result) {
  std::string text;
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    if (result.errors[i] == 0) continue;
    if (!text.empty()) text += ", ";
    text += fmt::format("{} {}", result.errors[i], error_name(static_cast<BenchError>(i)));
  }
  return text.empty() ? "none" : text;
}

// One row per power of two of latency, bars scaled to the fullest row.
void draw_histogram(const Histogram& histogram, Output& out) {
  std::map<std::uint64_t, std::uint64_t> rows;  // lower bound of a power of two -> count
  for (const auto& bucket : histogram.buckets()) {
    rows[std::bit_floor(std::max<std::uint64_t>(bucket.low, 1))] += bucket.count;
  }
  std::uint64_t fullest = 1;
  for (const auto& [low, count] : rows) fullest = std::max(fullest, count);
  out.print("  latency histogram");
  for (const auto& [low, count] : rows) {
    const auto width = static_cast<std::size_t>(std::lround(40.0 * count / fullest));
    std::string bar;
    for (std::size_t i = 0; i < width; ++i) bar += "\u2588";
    out.print("  {:>9} - {:<9} {:<40} {:5.1f}%", duration_text(low), duration_text(low * 2), bar,
              100.0 * static_cast<double>(count) / static_cast<double>(histogram.count()));
  }
}

std::string percentiles_text(const Histogram& latency) {
  std::string line;
  for (const auto& [fraction, name] : percentiles) {
    line += fmt::format(" {} {}", name, duration_text(latency.percentile(fraction)));
  }
  return fmt::format("{} max {}", line, duration_text(latency.max()));
}

// TLS: what was negotiated, and the handshakes, full and resumed apart.
void print_tls_text(const BenchResult& result, Output& out) {
  const auto& facts = *result.tls;
  out.print("  tls         {}, {}, {}, certificate {}", facts.protocol, facts.cipher, facts.group,
            facts.peer_key.empty() ? "none" : facts.peer_key);
  const std::pair<const char*, const Histogram*> kinds[] = {
      {"full", &result.full_handshake_ns}, {"resumed", &result.resumed_handshake_ns}};
  for (const auto& [kind, latency] : kinds) {
    if (latency->count() == 0) continue;
    out.print("  {:<8}    {} handshakes ({:.1f}/s), latency{}", kind, latency->count(),
              static_cast<double>(latency->count()) / result.seconds, percentiles_text(*latency));
  }
}

void print_text(const BenchConfig& config, const BenchResult& result, Output& out) {
  const auto& latency = result.latency_ns;
  out.print(
      "tcpecho bench {}: {}, {} connection{}, {} B, {} measured after {} "
      "warm-up",
      mode_name(config.mode), target_text(config.host, config.port, config.unix_path),
      config.connections,
      config.connections == 1 ? "" : "s", config.size, seconds_text(config.duration),
      seconds_text(config.warmup));
  out.print("  operations  {}  ({:.1f}/s)", result.operations,
            static_cast<double>(result.operations) / result.seconds);
  out.print("  throughput  {:.2f} MB/s", static_cast<double>(result.bytes) / result.seconds / 1e6);
  out.print("  latency    {}", percentiles_text(latency));
  if (result.tls) print_tls_text(result, out);
  out.print("  errors      {}", errors_text(result));
  if (config.histogram && latency.count() > 0) draw_histogram(latency, out);
}

std::string handshakes_json(const Histogram& latency, double seconds) {
  return fmt::format(
      R"({{"count": {}, "per_s": {:.3f}, "p50_us": {:.3f}, "p90_us": {:.3f}, "p99_us": {:.3f}, )"
      R"("max_us": {:.3f}}})",
      latency.count(), static_cast<double>(latency.count()) / seconds,
      microseconds(latency.percentile(0.50)), microseconds(latency.percentile(0.90)),
      microseconds(latency.percentile(0.99)), microseconds(latency.max()));
}

// "tls": null without TLS.
std::string tls_json(const BenchResult& result) {
  if (!result.tls) return "null";
  const auto& facts = *result.tls;
  return fmt::format(
      R"({{"protocol": {}, "cipher": {}, "group": {}, "certificate_key": {}, )"
      R"("full_handshakes": {}, "resumed_handshakes": {}}})",
      json_string(facts.protocol), json_string(facts.cipher), json_string(facts.group),
      json_string(facts.peer_key), handshakes_json(result.full_handshake_ns, result.seconds),
      handshakes_json(result.resumed_handshake_ns, result.seconds));
}

void print_json(const BenchConfig& config, const BenchResult& result, Output& out) {
  const auto& latency = result.latency_ns;
  std::string json =
      fmt::format(R"({{"mode": "{}", "host": {}, "port": {}, "unix": {}, "connections": {}, )"
                  R"("size": {}, )"
                  R"("duration_s": {:g}, "warmup_s": {:g}, "operations": {}, "ops_per_s": {:.3f}, )"
                  R"("bytes": {}, "mb_per_s": {:.6f}, )",
                  mode_name(config.mode), json_string(config.host), config.port,
                  config.unix_path.empty() ? "null" : json_string(config.unix_path),
                  config.connections, config.size,
                  result.seconds, seconds_of(config.warmup), result.operations,
                  static_cast<double>(result.operations) / result.seconds, result.bytes,
                  static_cast<double>(result.bytes) / result.seconds / 1e6);
  json +=
      fmt::format(R"("p50_us": {:.3f}, "p90_us": {:.3f}, "p99_us": {:.3f}, )"
                  R"("p999_us": {:.3f}, "max_us": {:.3f}, "mean_us": {:.3f}, "errors": {{)",
                  microseconds(latency.percentile(0.50)), microseconds(latency.percentile(0.90)),
                  microseconds(latency.percentile(0.99)), microseconds(latency.percentile(0.999)),
                  microseconds(latency.max()), latency.mean() / 1000.0);
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    json += fmt::format(R"({}"{}": {})", i == 0 ? "" : ", ", error_name(static_cast<BenchError>(i)),
                        result.errors[i]);
  }
  json += R"(}, "tls": )" + tls_json(result);
  json += R"(, "histogram": {"unit": "ns", "buckets": [)";
  bool first = true;
  for (const auto& bucket : latency.buckets()) {
    json += fmt::format("{}[{}, {}, {}]", first ? "" : ", ", bucket.low, bucket.high, bucket.count);
    first = false;
  }
  json += "]}}";
  out.line(json);
}

}  // namespace

ExitStatus report_bench(const BenchConfig& config, const BenchResult& result, Output& out) {
  if (config.json) {
    print_json(config, result, out);
  } else {
    print_text(config, result, out);
  }
  if (!result.internal_failure.empty()) {
    out.print_error("tcpecho: internal error in bench: {}", result.internal_failure);
    return ExitStatus::internal_error;
  }
  const auto connect_failures = result.errors[static_cast<std::size_t>(BenchError::connect_failed)];
  if (result.operations == 0 && connect_failures > 0 && connect_failures == result.error_total()) {
    // Nothing was measured: the server is not there. Say so as `send` would.
    out.print_error("tcpecho: cannot connect to {}: {}",
                    target_text(config.host, config.port, config.unix_path),
                    result.connect_failure);
    return ExitStatus::connect_failed;
  }
  return result.error_total() == 0 ? ExitStatus::ok : ExitStatus::exchange_failed;
}

}  // namespace tcpecho

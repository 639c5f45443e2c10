// How `tcpecho bench` reports: a few aligned lines for people (with an
// optional latency histogram drawn in the terminal), or one JSON object for
// scripts and plots, with the histogram in HdrHistogram's compressed form so
// runs can be merged exactly.
#include <algorithm>
#include <cmath>

#include "bench/bench.hpp"
#include "bench/interval_series.hpp"
#include "bench/latency_text.hpp"
#include "net/endpoints.hpp"
#include "output/json_line.hpp"

namespace tcpecho {
namespace {

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

// "3 mismatch, 2 reset", then a line for each kind with its first error.
void print_errors(const BenchResult& result, Output& out) {
  std::string counts;
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    if (result.errors[i] == 0) continue;
    if (!counts.empty()) counts += ", ";
    counts += fmt::format("{} {}", result.errors[i], error_name(static_cast<BenchError>(i)));
  }
  out.print("  errors      {}", counts.empty() ? "none" : counts);
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    if (result.errors[i] == 0 || result.first_error[i].empty()) continue;
    out.print("    {:<14} first: {}", error_name(static_cast<BenchError>(i)),
              result.first_error[i]);
  }
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
              per_second(latency->count(), result.seconds), percentiles_text(*latency));
  }
}

// "127.0.0.1 port 3000", or "3 targets" (each then has its line).
std::string targets_text(const BenchConfig& config) {
  if (config.targets.size() > 1) return fmt::format("{} targets", config.targets.size());
  const auto& target = config.targets.front();
  return target_text(target.host, target.port, target.unix_path);
}

// With several targets, a line for each: its share of the run.
void print_targets_text(const BenchConfig& config, const BenchResult& result, Output& out) {
  if (config.targets.size() < 2) return;
  const auto measures = measures_of(config.mode);
  for (std::size_t t = 0; t < result.targets.size(); ++t) {
    const auto& share = result.targets[t];
    std::string line = fmt::format("  target {}: {} ({:.1f}/s)", config.targets[t].name(),
                                   share.operations, per_second(share.operations, result.seconds));
    if (measures.throughput) {
      line += fmt::format(", {:.2f} MB/s", per_second(share.bytes, result.seconds) / 1e6);
    }
    if (measures.latency) {
      line += fmt::format(", p50 {} p99 {}", duration_text(share.latency_ns.percentile(0.50)),
                          duration_text(share.latency_ns.percentile(0.99)));
    }
    out.print("{}, {} error{}", line, share.errors, share.errors == 1 ? "" : "s");
  }
}

// "5s measured after 1s warm-up", or what was measured of it and why not all.
std::string window_text(const BenchConfig& config, const BenchResult& result) {
  std::string text =
      fmt::format("{:.3g}s measured after {} warm-up", result.seconds, seconds_text(config.warmup));
  if (result.stopped_by_signal != 0) {
    text += fmt::format(" (cut short by {}: -d was {})", signal_name(result.stopped_by_signal),
                        seconds_text(config.duration));
  }
  return text;
}

void print_text(const BenchConfig& config, const BenchResult& result, Output& out) {
  const auto& latency = result.latency_ns;
  const auto measures = measures_of(config.mode);
  out.print("tcpecho bench {}: {}, {} connection{}{}, {}", mode_name(config.mode),
            targets_text(config), config.connections, config.connections == 1 ? "" : "s",
            measures.size ? fmt::format(", {} B", config.size) : "", window_text(config, result));
  out.print("  operations  {}  ({:.1f}/s)", result.operations,
            per_second(result.operations, result.seconds));
  if (measures.throughput) {
    out.print("  throughput  {:.2f} MB/s", per_second(result.bytes, result.seconds) / 1e6);
  }
  if (measures.latency) out.print("  latency    {}", percentiles_text(latency));
  print_targets_text(config, result, out);
  const auto& connects = result.connect_ns;
  if (connects.count() > 0) {
    out.print("  connect     {} ({:.1f}/s), latency{}", connects.count(),
              per_second(connects.count(), result.seconds), percentiles_text(connects));
  }
  if (config.mode == BenchConfig::Mode::exchange && result.first_byte_ns.count() > 0) {
    out.print("  first byte {}", percentiles_text(result.first_byte_ns));
  }
  if (result.tcp.connections > 0) out.print("  tcp         {}", result.tcp.text());
  if (result.tls) print_tls_text(result, out);
  print_errors(result, out);
  if (measures.latency && config.histogram && latency.count() > 0) draw_latency_bars(latency, out);
}

// Something timed apart (connects, first bytes, handshakes): how many, how
// often, how long, and the histogram.
std::string timing_json(const Histogram& latency, double seconds) {
  return fmt::format(
      R"({{"count": {}, "per_s": {:.3f}, "p50_us": {:.3f}, "p90_us": {:.3f}, "p99_us": {:.3f}, )"
      R"("max_us": {:.3f}, "histogram": {{"unit": "ns", "hdr": "{}"}}}})",
      latency.count(), per_second(latency.count(), seconds), microseconds(latency.percentile(0.50)),
      microseconds(latency.percentile(0.90)), microseconds(latency.percentile(0.99)),
      microseconds(latency.max()), latency.encoded());
}

// "tls": null without TLS.
std::string tls_json(const BenchResult& result) {
  if (!result.tls) return "null";
  const auto& facts = *result.tls;
  return fmt::format(R"({{"protocol": {}, "cipher": {}, "group": {}, "certificate_key": {}, )"
                     R"("full_handshakes": {}, "resumed_handshakes": {}}})",
                     json_string(facts.protocol), json_string(facts.cipher),
                     json_string(facts.group), json_string(facts.peer_key),
                     timing_json(result.full_handshake_ns, result.seconds),
                     timing_json(result.resumed_handshake_ns, result.seconds));
}

// The run and its counts: what was asked, what was measured and in how long.
std::string run_json(const BenchConfig& config, const BenchResult& result) {
  const auto measures = measures_of(config.mode);
  const auto& first = config.targets.front();  // "host", "port", "unix": the first target's
  std::string json = fmt::format(
      R"("mode": "{}", "host": {}, "port": {}, "unix": {}, "connections": {}, )"
      R"("duration_s": {:g}, "warmup_s": {:g}, "measured_s": {:.6f}, "cut_short_by": {}, )"
      R"("operations": {}, "ops_per_s": {:.3f}, )",
      mode_name(config.mode), json_string(first.host), first.port,
      first.unix_path.empty() ? "null" : json_string(first.unix_path), config.connections,
      seconds_of(config.duration), seconds_of(config.warmup), result.seconds,
      result.stopped_by_signal != 0 ? json_string(signal_name(result.stopped_by_signal)) : "null",
      result.operations, per_second(result.operations, result.seconds));
  if (measures.size) json += fmt::format(R"("size": {}, )", config.size);
  if (config.mode != BenchConfig::Mode::rr && config.mode != BenchConfig::Mode::stream) {
    json += fmt::format(R"("message_base64": "{}", )", base64(config.message));
  }
  if (measures.throughput) {
    json += fmt::format(R"("bytes": {}, "mb_per_s": {:.6f}, )", result.bytes,
                        per_second(result.bytes, result.seconds) / 1e6);
  }
  return json;
}

// The percentiles and the histogram in HdrHistogram's compressed form, for
// the modes that time.
std::string latency_json(const Histogram& latency) {
  std::string json =
      fmt::format(R"("p50_us": {:.3f}, "p90_us": {:.3f}, "p99_us": {:.3f}, )"
                  R"("p999_us": {:.3f}, "max_us": {:.3f}, "mean_us": {:.3f}, )",
                  microseconds(latency.percentile(0.50)), microseconds(latency.percentile(0.90)),
                  microseconds(latency.percentile(0.99)), microseconds(latency.percentile(0.999)),
                  microseconds(latency.max()), latency.mean() / 1000.0);
  return json + fmt::format(R"("histogram": {{"unit": "ns", "hdr": "{}"}}, )", latency.encoded());
}

// "errors": counts by kind; "first_errors": the words of each kind's first.
std::string errors_json(const BenchResult& result) {
  std::string counts, firsts;
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    const auto name = error_name(static_cast<BenchError>(i));
    counts += fmt::format(R"({}"{}": {})", counts.empty() ? "" : ", ", name, result.errors[i]);
    if (result.first_error[i].empty()) continue;
    firsts += fmt::format(R"({}"{}": {})", firsts.empty() ? "" : ", ", name,
                          json_string(result.first_error[i]));
  }
  return fmt::format(R"("errors": {{{}}}, "first_errors": {{{}}})", counts, firsts);
}

// "targets": each target's share of the run.
std::string targets_json(const BenchConfig& config, const BenchResult& result) {
  std::string json = R"(, "targets": [)";
  for (std::size_t t = 0; t < result.targets.size(); ++t) {
    json += fmt::format(R"({}{{"target": {}, {}}})", t == 0 ? "" : ", ",
                        json_string(config.targets[t].name()),
                        interval_json(result.targets[t], result.start_time));
  }
  return json + "]";
}

// "interval_s" and "intervals", the series in order.
std::string intervals_json(const BenchConfig& config, const BenchResult& result) {
  std::string json =
      fmt::format(R"(, "interval_s": {:g}, "intervals": [)", seconds_of(config.interval));
  for (std::size_t i = 0; i < result.intervals.size(); ++i) {
    json += fmt::format("{}{{{}}}", i == 0 ? "" : ", ",
                        interval_json(result.intervals[i], result.start_time));
  }
  return json + "]";
}

// --json: the report as one JSON object; --log-format json: as the
// "report" line, with "time" and "event" first.
void print_json(const BenchConfig& config, const BenchResult& result, Output& out) {
  std::string members = run_json(config, result);
  if (measures_of(config.mode).latency) members += latency_json(result.latency_ns);
  members += R"("connect": )" + timing_json(result.connect_ns, result.seconds) + ", ";
  if (config.mode == BenchConfig::Mode::exchange) {
    members += R"("first_byte": )" + timing_json(result.first_byte_ns, result.seconds) + ", ";
  }
  members += R"("tcp": )" + result.tcp.json() + ", ";
  members += errors_json(result) + R"(, "tls": )" + tls_json(result);
  members += fmt::format(R"(, "start": {:.6f})", result.start_time);
  members += targets_json(config, result);
  if (config.interval.count() > 0) members += intervals_json(config, result);
  if (config.log_format == LogFormat::json) {
    out.json_line(JsonLine("report").members(members).str());
  } else {
    out.line("{" + members + "}");
  }
}

}  // namespace

ExitStatus report_bench(const BenchConfig& config, const BenchResult& result, Output& out) {
  if (config.json || config.log_format == LogFormat::json) {
    print_json(config, result, out);
  } else {
    print_text(config, result, out);
  }
  if (!result.output_failure.empty()) {
    out.print_error("tcpecho: {}", result.output_failure);
    return ExitStatus::output_failed;
  }
  if (!result.internal_failure.empty()) {
    out.print_error("tcpecho: internal error in bench: {}", result.internal_failure);
    return ExitStatus::internal_error;
  }
  const auto connect_failures = result.errors[static_cast<std::size_t>(BenchError::connect_failed)];
  if (result.operations == 0 && connect_failures > 0 && connect_failures == result.error_total()) {
    // Nothing was measured: the server is not there. Say so as `send` would.
    out.print_error("tcpecho: cannot connect to {}: {}", targets_text(config),
                    result.first_error[static_cast<std::size_t>(BenchError::connect_failed)]);
    return ExitStatus::connect_failed;
  }
  return result.error_total() == 0 ? ExitStatus::ok : ExitStatus::exchange_failed;
}

}  // namespace tcpecho

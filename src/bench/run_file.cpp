// A bench run read back from its JSON: see run_file.hpp.
#include "bench/run_file.hpp"

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace tcpecho {
namespace {

using nlohmann::json;

Histogram histogram_of(const json& timed) {
  auto decoded = Histogram::decoded(timed.at("histogram").at("hdr").get<std::string>());
  if (!decoded) throw std::invalid_argument("a histogram that is not HdrHistogram's");
  return std::move(*decoded);
}

BenchInterval interval_of(const json& j, double start_time) {
  BenchInterval interval;
  interval.offset = j.at("start").get<double>() - start_time;
  interval.seconds = j.at("seconds").get<double>();
  interval.operations = j.at("operations").get<std::uint64_t>();
  interval.bytes = j.at("bytes").get<std::uint64_t>();
  interval.errors = j.at("errors").get<std::uint64_t>();
  interval.latency_ns = histogram_of(j);
  return interval;
}

// "127.0.0.1:3000", "[::1]:3000" or "unix:PATH", as BenchTarget::name() writes it.
BenchTarget target_named(const std::string& name) {
  if (name.starts_with("unix:")) return {"", 0, name.substr(5)};
  const auto colon = name.rfind(':');
  auto host = name.substr(0, colon);
  if (host.starts_with('[')) host = host.substr(1, host.size() - 2);
  return {host, static_cast<std::uint16_t>(std::stoul(name.substr(colon + 1))), ""};
}

BenchConfig::Mode mode_named(const std::string& name) {
  for (auto mode : {BenchConfig::Mode::rr, BenchConfig::Mode::stream, BenchConfig::Mode::exchange,
                    BenchConfig::Mode::idle, BenchConfig::Mode::flood}) {
    if (mode_name(mode) == name) return mode;
  }
  throw std::invalid_argument("an unknown mode '" + name + "'");
}

std::chrono::milliseconds milliseconds_of(const json& seconds) {
  return std::chrono::milliseconds(std::llround(seconds.get<double>() * 1000));
}

void read_config(const json& j, RunFile& run) {
  auto& config = run.config;
  config.mode = mode_named(j.at("mode").get<std::string>());
  config.connections = j.at("connections").get<std::size_t>();
  config.duration = milliseconds_of(j.at("duration_s"));
  config.warmup = milliseconds_of(j.at("warmup_s"));
  config.size = j.value("size", std::size_t{0});
  config.interval = j.contains("interval_s") ? milliseconds_of(j["interval_s"]) : 0ms;
  run.message_base64 = j.value("message_base64", "");
  for (const auto& target : j.at("targets")) {
    config.targets.push_back(target_named(target.at("target").get<std::string>()));
  }
}

void read_tcp(const json& j, TcpSummary& tcp) {
  if (j.is_null()) return;
  tcp.connections = j.at("connections").get<std::uint64_t>();
  tcp.retransmits = j.at("retransmits").get<std::uint64_t>();
  tcp.rtt_ns = histogram_of(j.at("rtt_us"));
  tcp.rtt_var_us_sum = j.at("rtt_var_us_sum").get<std::uint64_t>();
  tcp.min_rtt_us = j.at("min_rtt_us").get<std::uint32_t>();
  tcp.cwnd_min = j.at("cwnd").at("min").get<std::uint32_t>();
  tcp.cwnd_max = j.at("cwnd").at("max").get<std::uint32_t>();
  tcp.cwnd_sum = j.at("cwnd").at("sum").get<std::uint64_t>();
}

void read_tls(const json& j, BenchResult& result) {
  if (j.is_null()) return;
  TlsFacts facts;
  facts.protocol = j.at("protocol").get<std::string>();
  facts.cipher = j.at("cipher").get<std::string>();
  facts.group = j.at("group").get<std::string>();
  facts.peer_key = j.at("certificate_key").get<std::string>();
  result.tls = facts;
  result.full_handshake_ns = histogram_of(j.at("full_handshakes"));
  result.resumed_handshake_ns = histogram_of(j.at("resumed_handshakes"));
}

void read_counts(const json& j, BenchResult& result) {
  result.seconds = j.at("measured_s").get<double>();
  result.start_time = j.at("start").get<double>();
  result.operations = j.at("operations").get<std::uint64_t>();
  result.bytes = j.value("bytes", std::uint64_t{0});
  for (std::size_t i = 0; i < result.errors.size(); ++i) {
    const auto name = std::string(error_name(static_cast<BenchError>(i)));
    result.errors[i] = j.at("errors").at(name).get<std::uint64_t>();
    result.first_error[i] = j.at("first_errors").value(name, "");
  }
  if (j.contains("histogram")) result.latency_ns = histogram_of(j);
  result.connect_ns = histogram_of(j.at("connect"));
  if (j.contains("first_byte")) result.first_byte_ns = histogram_of(j.at("first_byte"));
  read_tcp(j.at("tcp"), result.tcp);
  read_tls(j.at("tls"), result);
  for (const auto& target : j.at("targets")) {
    result.targets.push_back(interval_of(target, result.start_time));
  }
  for (const auto& interval : j.value("intervals", json::array())) {
    result.intervals.push_back(interval_of(interval, result.start_time));
  }
}

// The report in `text`: the one object of --json, or the "report" line of
// --log-format json.
json report_in(const std::string& text) {
  if (auto whole = json::parse(text, nullptr, false); whole.is_object()) return whole;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line, nullptr, false);
    if (j.is_object() && j.value("event", "") == "report") return j;
  }
  throw std::invalid_argument("no bench report (bench --json writes one)");
}

std::string contents_of(const std::string& path) {
  std::ostringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
    return text.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::invalid_argument(std::strerror(errno));
  text << file.rdbuf();
  return text.str();
}

}  // namespace

RunFile read_run_file(const std::string& path) {
  RunFile run;
  run.name = path;
  try {
    const auto report = report_in(contents_of(path));
    read_config(report, run);
    read_counts(report, run.result);
  } catch (const std::exception& error) {
    // nlohmann's words name the field ("key 'mode' not found").
    throw StartupError(ExitStatus::usage, fmt::format("cannot read {}: {}", path, error.what()));
  }
  return run;
}

}  // namespace tcpecho

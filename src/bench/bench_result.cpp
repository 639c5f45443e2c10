// What bench measured, and the names its reports give things: the
// definitions behind bench.hpp's BenchResult, BenchInterval, mode_name(),
// measures_of() and error_name().
#include <algorithm>

#include "bench/bench.hpp"

namespace tcpecho {

double per_second(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

std::string_view error_name(BenchError kind) {
  switch (kind) {
    case BenchError::mismatch:
      return "mismatch";
    case BenchError::short_reply:
      return "short_reply";
    case BenchError::reset:
      return "reset";
    case BenchError::timeout:
      return "timeout";
    case BenchError::connect_failed:
      return "connect_failed";
    case BenchError::other:
    case BenchError::count:
      break;
  }
  return "other";
}

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

Measures measures_of(BenchConfig::Mode mode) {
  switch (mode) {
    case BenchConfig::Mode::exchange:
    case BenchConfig::Mode::idle:
      return {false, false, true};
    case BenchConfig::Mode::flood:
      return {true, true, false};
    case BenchConfig::Mode::rr:
    case BenchConfig::Mode::stream:
      break;
  }
  return {true, true, true};
}

std::uint64_t BenchResult::error_total() const {
  std::uint64_t total = 0;
  for (auto n : errors) total += n;
  return total;
}

void BenchInterval::add(const BenchInterval& other) {
  offset = other.offset;
  seconds = std::max(seconds, other.seconds);
  operations += other.operations;
  bytes += other.bytes;
  errors += other.errors;
  latency_ns.add(other.latency_ns);
}

void BenchResult::merge(const BenchResult& other) {
  latency_ns.add(other.latency_ns);
  operations += other.operations;
  bytes += other.bytes;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    errors[i] += other.errors[i];
    if (first_error[i].empty()) first_error[i] = other.first_error[i];
  }
  seconds = std::max(seconds, other.seconds);
  targets.resize(std::max(targets.size(), other.targets.size()));
  for (std::size_t t = 0; t < other.targets.size(); ++t) targets[t].add(other.targets[t]);
  if (!tls) tls = other.tls;
  connect_ns.add(other.connect_ns);
  tcp.add(other.tcp);
  first_byte_ns.add(other.first_byte_ns);
  full_handshake_ns.add(other.full_handshake_ns);
  resumed_handshake_ns.add(other.resumed_handshake_ns);
  if (internal_failure.empty()) internal_failure = other.internal_failure;
}

}  // namespace tcpecho

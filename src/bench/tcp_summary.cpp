// What TCP saw of bench's connections: see tcp_summary.hpp.
#include "bench/tcp_summary.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "bench/latency_text.hpp"

namespace tcpecho {
namespace {

double mean(std::uint64_t sum, std::uint64_t count) {
  return count == 0 ? 0.0 : static_cast<double>(sum) / static_cast<double>(count);
}

}  // namespace

void TcpSummary::add(const TcpFacts& facts) {
  ++connections;
  retransmits += facts.retransmits;
  rtt_ns.record(std::uint64_t{facts.rtt_us} * 1000);
  rtt_var_us_sum += facts.rtt_var_us;
  if (facts.min_rtt_us != 0) min_rtt_us = std::min(min_rtt_us, facts.min_rtt_us);
  cwnd_min = std::min(cwnd_min, facts.cwnd);
  cwnd_max = std::max(cwnd_max, facts.cwnd);
  cwnd_sum += facts.cwnd;
}

void TcpSummary::add(const TcpSummary& other) {
  connections += other.connections;
  retransmits += other.retransmits;
  rtt_ns.add(other.rtt_ns);
  rtt_var_us_sum += other.rtt_var_us_sum;
  min_rtt_us = std::min(min_rtt_us, other.min_rtt_us);
  cwnd_min = std::min(cwnd_min, other.cwnd_min);
  cwnd_max = std::max(cwnd_max, other.cwnd_max);
  cwnd_sum += other.cwnd_sum;
}

std::string TcpSummary::text() const {
  return fmt::format(
      "{} connections, {} retransmits, rtt p50 {} p99 {} (variance {:.1f}us), min rtt {}, "
      "cwnd {}-{} (mean {:.1f})",
      connections, retransmits, duration_text(rtt_ns.percentile(0.50)),
      duration_text(rtt_ns.percentile(0.99)), mean(rtt_var_us_sum, connections),
      duration_text(std::uint64_t{min_rtt_us} * 1000), cwnd_min, cwnd_max,
      mean(cwnd_sum, connections));
}

std::string TcpSummary::json() const {
  if (connections == 0) return "null";
  return fmt::format(
      R"({{"connections": {}, "retransmits": {}, "rtt_us": {{"p50": {:.3f}, "p99": {:.3f}, )"
      R"("max": {:.3f}, "histogram": {{"unit": "ns", "hdr": "{}"}}}}, "rtt_var_us_mean": {:.3f}, )"
      R"("rtt_var_us_sum": {}, "min_rtt_us": {}, )"
      R"("cwnd": {{"min": {}, "mean": {:.3f}, "max": {}, "sum": {}}}}})",
      connections, retransmits, microseconds(rtt_ns.percentile(0.50)),
      microseconds(rtt_ns.percentile(0.99)), microseconds(rtt_ns.max()), rtt_ns.encoded(),
      mean(rtt_var_us_sum, connections), rtt_var_us_sum, min_rtt_us, cwnd_min,
      mean(cwnd_sum, connections), cwnd_max, cwnd_sum);
}

}  // namespace tcpecho

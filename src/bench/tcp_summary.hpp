// What TCP saw of bench's connections: each TCP connection's TCP_INFO at its
// end, summed (retransmits) or summarised (RTT as a histogram, RTT variance
// and congestion window as mean and range, the smallest RTT of all).
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "bench/histogram.hpp"
#include "net/tcp_info.hpp"

namespace tcpecho {

struct TcpSummary {
  std::uint64_t connections = 0;
  std::uint64_t retransmits = 0;
  Histogram rtt_ns;  // each connection's smoothed RTT at its end
  std::uint64_t rtt_var_us_sum = 0;
  std::uint32_t min_rtt_us = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t cwnd_min = std::numeric_limits<std::uint32_t>::max();
  std::uint32_t cwnd_max = 0;
  std::uint64_t cwnd_sum = 0;

  void add(const TcpFacts& facts);
  void add(const TcpSummary& other);

  // "120 connections, 0 retransmits, rtt p50 ... p99 ..., ..."
  std::string text() const;
  // The "tcp" object of bench's JSON (null with no TCP connection).
  std::string json() const;
};

}  // namespace tcpecho

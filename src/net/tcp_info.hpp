// What the kernel saw of a TCP connection (Linux TCP_INFO): retransmits,
// round-trip time and its variance, the smallest round trip, and the
// congestion window. Apart from Asio, because the kernel's struct tcp_info
// (with the minimum RTT) and glibc's (which Asio includes) cannot share a
// translation unit.
#pragma once

#include <cstdint>
#include <optional>

namespace tcpecho {

struct TcpFacts {
  std::uint32_t retransmits = 0;  // segments retransmitted over the connection's life
  std::uint32_t rtt_us = 0;       // smoothed round-trip time
  std::uint32_t rtt_var_us = 0;   // its mean deviation
  std::uint32_t min_rtt_us = 0;   // the smallest round trip seen
  std::uint32_t cwnd = 0;         // congestion window, in segments
};

// The facts of the TCP socket `fd`; nullopt for a socket that is not TCP.
std::optional<TcpFacts> tcp_facts(int fd);

}  // namespace tcpecho

// TCP_INFO: see tcp_info.hpp.
#include "net/tcp_info.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace tcpecho {

std::optional<TcpFacts> tcp_facts(int fd) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return std::nullopt;
  return TcpFacts{info.tcpi_total_retrans, info.tcpi_rtt, info.tcpi_rttvar, info.tcpi_min_rtt,
                  info.tcpi_snd_cwnd};
}

}  // namespace tcpecho

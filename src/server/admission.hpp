// Who may connect: --deny, --allow and --max-per-client, judged on the
// client (the one a PROXY header names, else the socket's peer) once for
// every thread of a server. Unix socket clients are not judged by address:
// their socket file's permissions say who may connect.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "config/server_config.hpp"
#include "net/peer_address.hpp"

namespace tcpecho {

class Admission {
 public:
  enum class Refusal { deny, allow, per_client };

  explicit Admission(const ServerConfig& config)
      : allow_(config.allow), deny_(config.deny), per_client_(config.max_per_client) {}

  // None: admitted; with --max-per-client, counted until leave().
  std::optional<Refusal> admit(const PeerAddress& client);
  void leave(const PeerAddress& client);
  bool counts() const { return per_client_ > 0; }

 private:
  std::vector<Cidr> allow_;
  std::vector<Cidr> deny_;
  std::size_t per_client_;  // 0: no limit
  std::mutex mutex_;
  // Connections open per client: an IPv4 address, or an IPv6 /64 (what one
  // host is usually given).
  std::map<Cidr::Bytes, std::size_t> open_;
};

}  // namespace tcpecho

// Who is at the other end of an accepted connection, held in as few bytes as
// its address needs: an IP endpoint (28 bytes) or a Unix socket's name
// (none, for the usual unnamed client), rather than a generic endpoint's 144
// in every connection the server keeps.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/cidr.hpp"
#include "net/stream.hpp"

namespace tcpecho {

class PeerAddress {
 public:
  explicit PeerAddress(const Endpoint& endpoint);

  // The address as the socket gave it, byte for byte.
  Endpoint endpoint() const;
  bool is_unix() const { return std::holds_alternative<std::string>(address_); }
  // An IP peer's address as Cidr compares it; none for a Unix peer.
  std::optional<Cidr::Bytes> ip_bytes() const;
  // Whether an IP peer is in any of `blocks`; a Unix peer never is.
  bool within(const std::vector<Cidr>& blocks) const;

 private:
  // A Unix name is sun_path's bytes as the kernel gave them: empty for an
  // unnamed socket, a NUL first for an abstract one.
  std::variant<tcp::endpoint, std::string> address_;
};

}  // namespace tcpecho

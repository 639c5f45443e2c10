// A peer's address, compact: see peer_address.hpp.
#include "net/peer_address.hpp"

#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "net/endpoints.hpp"

namespace tcpecho {
namespace {

constexpr std::size_t path_offset = offsetof(sockaddr_un, sun_path);

std::variant<tcp::endpoint, std::string> compact(const Endpoint& endpoint) {
  if (!is_unix(endpoint)) return ip_endpoint(endpoint);
  const auto* name = reinterpret_cast<const char*>(endpoint.data()) + path_offset;
  const std::size_t size = endpoint.size() > path_offset ? endpoint.size() - path_offset : 0;
  return std::string(name, size);
}

Cidr::Bytes cidr_bytes(const asio::ip::address& address) {
  if (address.is_v4()) return mapped_ipv4(address.to_v4().to_bytes());
  return address.to_v6().to_bytes();
}

}  // namespace

std::optional<Cidr::Bytes> PeerAddress::ip_bytes() const {
  const auto* ip = std::get_if<tcp::endpoint>(&address_);
  if (ip == nullptr) return std::nullopt;
  return cidr_bytes(ip->address());
}

bool PeerAddress::within(const std::vector<Cidr>& blocks) const {
  const auto bytes = ip_bytes();
  return bytes && std::any_of(blocks.begin(), blocks.end(),
                              [&bytes](const Cidr& block) { return block.contains(*bytes); });
}

PeerAddress::PeerAddress(const Endpoint& endpoint) : address_(compact(endpoint)) {}

Endpoint PeerAddress::endpoint() const {
  if (const auto* ip = std::get_if<tcp::endpoint>(&address_)) return Endpoint(*ip);
  const auto& name = std::get<std::string>(address_);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, name.data(), name.size());
  return Endpoint(&address, path_offset + name.size(), 0);
}

}  // namespace tcpecho

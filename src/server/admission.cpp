// Who may connect: see admission.hpp.
#include "server/admission.hpp"

#include <algorithm>

namespace tcpecho {
namespace {

// The part of an address that names one client: all of an IPv4 one, the
// first 64 bits of an IPv6 one.
Cidr::Bytes client_key(Cidr::Bytes address) {
  const bool ipv4 =
      address[10] == 0xff && address[11] == 0xff &&
      std::all_of(address.begin(), address.begin() + 10, [](auto b) { return b == 0; });
  if (!ipv4) std::fill(address.begin() + 8, address.end(), 0);
  return address;
}

}  // namespace

std::optional<Admission::Refusal> Admission::admit(const PeerAddress& client) {
  const auto address = client.ip_bytes();
  if (!address) return std::nullopt;
  if (client.within(deny_)) return Refusal::deny;
  if (!allow_.empty() && !client.within(allow_)) return Refusal::allow;
  if (per_client_ == 0) return std::nullopt;
  const std::scoped_lock lock(mutex_);
  auto& open = open_[client_key(*address)];
  if (open >= per_client_) return Refusal::per_client;
  ++open;
  return std::nullopt;
}

void Admission::leave(const PeerAddress& client) {
  const auto address = client.ip_bytes();
  if (!address || per_client_ == 0) return;
  const std::scoped_lock lock(mutex_);
  const auto found = open_.find(client_key(*address));
  if (found != open_.end() && --found->second == 0) open_.erase(found);
}

}  // namespace tcpecho

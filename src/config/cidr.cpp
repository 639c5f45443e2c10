// Address blocks: see cidr.hpp.
#include "config/cidr.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace tcpecho {
namespace {

bool is_mapped(const Cidr::Bytes& bytes) {
  constexpr std::array<std::uint8_t, 12> prefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

// The bits of `address` past the first `prefix`, cleared.
Cidr::Bytes masked(Cidr::Bytes address, unsigned prefix) {
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned keep = prefix > 8 * i ? std::min(8U, prefix - 8 * i) : 0;
    address[i] &= static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
  }
  return address;
}

}  // namespace

Cidr::Bytes mapped_ipv4(const std::array<std::uint8_t, 4>& address) {
  Cidr::Bytes bytes{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  std::copy(address.begin(), address.end(), bytes.begin() + 12);
  return bytes;
}

std::optional<Cidr> Cidr::parse(std::string_view text, std::string& why) {
  const auto slash = text.find('/');
  const std::string address(text.substr(0, slash));
  Cidr cidr;
  unsigned most = 128;
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, address.c_str(), v4.data()) == 1) {
    cidr.network = mapped_ipv4(v4);
    most = 32;
  } else if (inet_pton(AF_INET6, address.c_str(), cidr.network.data()) != 1) {
    why = "not an IPv4 or IPv6 address: " + address;
    return std::nullopt;
  }
  unsigned bits = most;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
        bits > most) {
      why = "the prefix length must be 0 to " + std::to_string(most);
      return std::nullopt;
    }
  }
  cidr.prefix = bits + (128 - most);
  cidr.network = masked(cidr.network, cidr.prefix);
  return cidr;
}

bool Cidr::contains(const Bytes& address) const { return masked(address, prefix) == network; }

std::string Cidr::text() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (is_mapped(network) && prefix >= 96) {
    inet_ntop(AF_INET, network.data() + 12, buffer, sizeof buffer);
    return std::string(buffer) + "/" + std::to_string(prefix - 96);
  }
  inet_ntop(AF_INET6, network.data(), buffer, sizeof buffer);
  return std::string(buffer) + "/" + std::to_string(prefix);
}

}  // namespace tcpecho

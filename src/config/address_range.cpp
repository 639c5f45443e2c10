// bench --source's address range: see address_range.hpp.
#include "config/address_range.hpp"

#include <arpa/inet.h>

#include <algorithm>

namespace tcpecho {
namespace {

struct Address {
  std::array<std::uint8_t, 16> bytes{};
  bool ipv6 = false;
};

std::optional<Address> address_of(std::string_view text) {
  const std::string copy(text);
  Address address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  address.ipv6 = true;
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) return address;
  return std::nullopt;
}

// The part of an address a range counts through: all of IPv4's 32 bits, the
// low 64 of IPv6's (the interface identifier within a /64).
std::uint64_t counted(const Address& a) {
  const std::size_t from = a.ipv6 ? 8 : 0, to = a.ipv6 ? 16 : 4;
  std::uint64_t value = 0;
  for (std::size_t i = from; i < to; ++i) value = value << 8 | a.bytes[i];
  return value;
}

bool same_prefix(const Address& a, const Address& b) {
  return a.ipv6 == b.ipv6 &&
         (!a.ipv6 || std::equal(a.bytes.begin(), a.bytes.begin() + 8, b.bytes.begin()));
}

}  // namespace

std::optional<AddressRange> AddressRange::parse(std::string_view text, std::string& why) {
  const auto dash = text.find('-');
  const auto low = address_of(text.substr(0, dash));
  const auto high = dash == std::string_view::npos ? low : address_of(text.substr(dash + 1));
  if (!low || !high) {
    why = "not an IPv4 or IPv6 address, or a range ADDRESS-ADDRESS of them";
    return std::nullopt;
  }
  if (!same_prefix(*low, *high)) {
    why = "a range's two ends are of one family (and IPv6, of one /64)";
    return std::nullopt;
  }
  if (counted(*high) < counted(*low)) {
    why = "a range goes from the lower address to the higher";
    return std::nullopt;
  }
  if (counted(*high) - counted(*low) >= std::uint64_t{1} << 32) {
    why = "a range holds at most 4294967296 addresses";
    return std::nullopt;
  }
  return AddressRange{low->bytes, low->ipv6, counted(*high) - counted(*low) + 1};
}

std::string AddressRange::at(std::uint64_t i) const {
  Address address{first, ipv6};
  auto value = counted(address) + i % count;
  for (std::size_t k = ipv6 ? 16 : 4; k-- > (ipv6 ? 8 : 0); value >>= 8) {
    address.bytes[k] = static_cast<std::uint8_t>(value);
  }
  char text[INET6_ADDRSTRLEN];
  inet_ntop(ipv6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof text);
  return text;
}

}  // namespace tcpecho

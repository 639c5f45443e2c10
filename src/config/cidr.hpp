// An address block as --proxy-from writes it: "10.0.0.0/8", "2001:db8::/32",
// or one address ("192.0.2.7", a /32; "::1", a /128). IPv4 is held as its
// IPv4-mapped IPv6 form, so that one comparison serves both families, and an
// IPv4 client reaching a dual-stack socket (::ffff:192.0.2.7) matches the
// IPv4 block it belongs to.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpecho {

struct Cidr {
  using Bytes = std::array<std::uint8_t, 16>;  // an IPv6 address, network order
  Bytes network{};
  unsigned prefix = 128;  // of the IPv6 form: an IPv4 /8 is 104

  // None: not an address or a block; `why` says what is wrong with it.
  static std::optional<Cidr> parse(std::string_view text, std::string& why);
  bool contains(const Bytes& address) const;
  // As it was written: "10.0.0.0/8".
  std::string text() const;
};

// An IPv4 address in network order, as the IPv4-mapped IPv6 bytes Cidr holds.
Cidr::Bytes mapped_ipv4(const std::array<std::uint8_t, 4>& address);

}  // namespace tcpecho

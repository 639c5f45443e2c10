// bench --source's addresses: "192.0.2.10", or a range "192.0.2.10-192.0.2.40"
// ("2001:db8::10-2001:db8::ff" within one /64), taken in turn, so a run opens
// more connections to a server than one address has ephemeral ports.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tcpecho {

struct AddressRange {
  std::array<std::uint8_t, 16> first{};  // network order; IPv4 in the first 4
  bool ipv6 = false;
  std::uint64_t count = 1;

  // None: not an address or a range; `why` says what is wrong with it.
  static std::optional<AddressRange> parse(std::string_view text, std::string& why);
  // The address `i` places after the first (wrapping around the range), as
  // inet_ntop writes it.
  std::string at(std::uint64_t i) const;
};

}  // namespace tcpecho

// -4 and -6: the IP family a host name may stand for, as nc and socat take
// them. Needs no Asio, so the CLI does not either.
#pragma once

namespace tcpecho {

enum class AddressFamily { any, ipv4, ipv6 };

inline const char* family_name(AddressFamily family) {
  return family == AddressFamily::ipv6 ? "IPv6" : "IPv4";
}

}  // namespace tcpecho

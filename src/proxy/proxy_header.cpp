// PROXY protocol headers, versions 1 and 2: see proxy_header.hpp.
#include "proxy/proxy_header.hpp"

#include <arpa/inet.h>
#include <sys/un.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>

namespace tcpecho::proxy {
namespace {

class ProxyCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tcpecho.proxy"; }
  std::string message(int value) const override {
    switch (static_cast<Error>(value)) {
      case Error::bad_signature:
        return "no PROXY protocol header";
      case Error::too_long:
        return "PROXY header too long";
      case Error::malformed:
        return "malformed PROXY header";
      case Error::unknown_version:
        return "unknown PROXY protocol version";
      case Error::unknown_command:
        return "unknown PROXY protocol command";
      case Error::unknown_family:
        return "unknown address family in PROXY header";
      case Error::truncated:
        return "connection ended inside its PROXY header";
    }
    return "PROXY protocol error";
  }
};
const ProxyCategory category;

constexpr std::string_view v1_signature = "PROXY ";
constexpr std::string_view v2_signature{"\r\n\r\n\0\r\nQUIT\n", 12};

Progress failed(Error error) { return {make_error_code(error), 0, 0, std::nullopt}; }
Progress needs(std::size_t more) { return {{}, 0, more, std::nullopt}; }
Progress done(std::size_t size, std::optional<Endpoint> source = std::nullopt) {
  return {{}, size, 0, std::move(source)};
}

bool starts_as(std::string_view bytes, std::string_view signature) {
  const std::size_t n = std::min(bytes.size(), signature.size());
  return bytes.substr(0, n) == signature.substr(0, n);
}

// A v1 port: decimal, no sign, no leading zero, at most 65535.
std::optional<std::uint16_t> v1_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value > 65535 ||
      (text.size() > 1 && text[0] == '0')) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// "TCP4 192.0.2.1 192.0.2.2 56324 443", the line between "PROXY " and CRLF.
Progress v1_line(std::string_view line, std::size_t size) {
  if (line.starts_with("UNKNOWN")) return done(size);
  std::array<std::string_view, 5> fields;
  for (auto& field : fields) {
    const auto space = line.find(' ');
    field = line.substr(0, space);
    line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  }
  if (!line.empty() || fields[4].empty()) return failed(Error::malformed);
  const int family = fields[0] == "TCP4" ? AF_INET : fields[0] == "TCP6" ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC) return failed(Error::unknown_family);
  std::array<unsigned char, 16> address{};
  std::array<unsigned char, 16> ignored{};
  const auto port = v1_port(fields[3]);
  if (inet_pton(family, std::string(fields[1]).c_str(), address.data()) != 1 ||
      inet_pton(family, std::string(fields[2]).c_str(), ignored.data()) != 1 || !port ||
      !v1_port(fields[4])) {
    return failed(Error::malformed);
  }
  const asio::ip::address ip = family == AF_INET
                                   ? asio::ip::address(asio::ip::address_v4(
                                         {address[0], address[1], address[2], address[3]}))
                                   : asio::ip::address(asio::ip::address_v6(address));
  return done(size, Endpoint(tcp::endpoint(ip, *port)));
}

Progress v1(std::string_view bytes) {
  const auto end = bytes.find("\r\n");
  if (end == std::string_view::npos) {
    if (bytes.size() >= v1_max) return failed(Error::too_long);
    return needs(v1_max - bytes.size());
  }
  if (end + 2 > v1_max) return failed(Error::too_long);
  return v1_line(bytes.substr(v1_signature.size(), end - v1_signature.size()), end + 2);
}

// The source address of v2's address block, by family.
std::optional<Endpoint> v2_source(unsigned family, const unsigned char* block) {
  std::uint16_t port = 0;
  if (family == 1) {
    std::memcpy(&port, block + 8, 2);
    const asio::ip::address_v4 ip({block[0], block[1], block[2], block[3]});
    return Endpoint(tcp::endpoint(ip, ntohs(port)));
  }
  if (family == 2) {
    std::memcpy(&port, block + 32, 2);
    asio::ip::address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), block, bytes.size());
    return Endpoint(tcp::endpoint(asio::ip::address_v6(bytes), ntohs(port)));
  }
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, block, sizeof address.sun_path);
  const std::size_t length = address.sun_path[0] == '\0'
                                 ? sizeof address.sun_path  // abstract: all 108 bytes
                                 : strnlen(address.sun_path, sizeof address.sun_path);
  return Endpoint(&address, offsetof(sockaddr_un, sun_path) + length, 0);
}

// TLVs fill what follows the addresses exactly: each a type, a 16-bit
// length, and that many bytes, none of which tcpecho uses.
bool tlvs_fit(std::string_view tlvs) {
  while (!tlvs.empty()) {
    if (tlvs.size() < 3) return false;
    const std::size_t length = static_cast<std::size_t>(static_cast<unsigned char>(tlvs[1])) << 8 |
                               static_cast<unsigned char>(tlvs[2]);
    if (tlvs.size() < 3 + length) return false;
    tlvs.remove_prefix(3 + length);
  }
  return true;
}

Progress v2(std::string_view bytes) {
  if (bytes.size() < v2_fixed) return needs(v2_fixed - bytes.size());
  const auto* fixed = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t length = static_cast<std::size_t>(fixed[14]) << 8 | fixed[15];
  if ((fixed[12] >> 4) != 2) return failed(Error::unknown_version);
  const unsigned command = fixed[12] & 0xf;
  if (command > 1) return failed(Error::unknown_command);
  if (length > v2_max_length) return failed(Error::too_long);
  if (bytes.size() < v2_fixed + length) return needs(v2_fixed + length - bytes.size());
  const std::size_t size = v2_fixed + length;
  const unsigned family = fixed[13] >> 4;
  const unsigned transport = fixed[13] & 0xf;
  if (family > 3 || transport > 2) return failed(Error::unknown_family);
  if (command == 0 || family == 0) return done(size);  // LOCAL, or UNSPEC: the connection's own
  if (transport != 1) return failed(Error::unknown_family);  // a datagram's, not a stream's
  constexpr std::array<std::size_t, 4> block_size{0, 12, 36, 216};
  if (length < block_size[family]) return failed(Error::malformed);
  if (!tlvs_fit(bytes.substr(v2_fixed + block_size[family], length - block_size[family]))) {
    return failed(Error::malformed);
  }
  return done(size, v2_source(family, fixed + v2_fixed));
}

}  // namespace

asio::error_code make_error_code(Error error) { return {static_cast<int>(error), category}; }

Progress parse(std::string_view bytes) {
  const bool may_be_v1 = starts_as(bytes, v1_signature);
  const bool may_be_v2 = starts_as(bytes, v2_signature);
  if (!may_be_v1 && !may_be_v2) return failed(Error::bad_signature);
  if (may_be_v1 && may_be_v2) return needs(v2_fixed - bytes.size());  // nothing read yet
  if (may_be_v2) return v2(bytes);
  if (bytes.size() < v1_signature.size()) return needs(v1_max - bytes.size());
  return v1(bytes);
}

}  // namespace tcpecho::proxy

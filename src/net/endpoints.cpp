// Where a client connects and how messages name it: see endpoints.hpp.
#include "net/endpoints.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace tcpecho {

tcp::endpoint ip_endpoint(const Endpoint& endpoint) {
  tcp::endpoint ip;
  std::memcpy(ip.data(), endpoint.data(), std::min(endpoint.size(), sizeof(sockaddr_in6)));
  ip.resize(endpoint.size());
  return ip;
}

bool is_wildcard(const Endpoint& endpoint) {
  return !is_unix(endpoint) && ip_endpoint(endpoint).address().is_unspecified();
}

bool in_family(const asio::ip::address& address, AddressFamily family) {
  return family == AddressFamily::any || (family == AddressFamily::ipv6) == address.is_v6();
}

std::vector<Endpoint> endpoints_of(const tcp::resolver::results_type& results,
                                   AddressFamily family) {
  std::vector<Endpoint> endpoints;
  for (const auto& result : results) {
    if (in_family(result.endpoint().address(), family)) endpoints.emplace_back(result.endpoint());
  }
  return endpoints;
}

namespace {

class NoAddressCategory final : public asio::error_category {
 public:
  const char* name() const noexcept override { return "address family"; }
  std::string message(int value) const override {
    return fmt::format("no {} address", family_name(static_cast<AddressFamily>(value)));
  }
};

}  // namespace

asio::error_code no_address_of(AddressFamily family) {
  static const NoAddressCategory category;
  return {static_cast<int>(family), category};
}

Endpoint unix_endpoint(std::string_view path) {
  std::string name(path);
  // Abstract names start with a NUL byte and are not NUL-terminated; Asio's
  // endpoint takes both kinds, by length.
  if (name.starts_with('@')) name[0] = '\0';
  return asio::local::stream_protocol::endpoint(name);
}

std::string unix_name(const Endpoint& endpoint) {
  constexpr std::size_t offset = offsetof(sockaddr_un, sun_path);
  if (endpoint.size() <= offset) return {};
  std::string name(reinterpret_cast<const char*>(endpoint.data()) + offset,
                   endpoint.size() - offset);
  if (name.front() == '\0') return "@" + name.substr(1);
  return name.substr(0, name.find('\0'));
}

std::string target_text(std::string_view host, std::uint16_t port, std::string_view unix_path) {
  if (!unix_path.empty()) return std::string(unix_path);
  return fmt::format("{} port {}", host, port);
}

}  // namespace tcpecho

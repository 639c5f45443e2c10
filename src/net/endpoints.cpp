// Where a client connects and how messages name it: see endpoints.hpp.
#include "net/endpoints.hpp"

#include <fmt/format.h>
#include <netinet/in.h>

#include <algorithm>
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

std::vector<Endpoint> endpoints_of(const tcp::resolver::results_type& results) {
  std::vector<Endpoint> endpoints;
  for (const auto& result : results) endpoints.emplace_back(result.endpoint());
  return endpoints;
}

Endpoint unix_endpoint(std::string_view path) {
  std::string name(path);
  // Abstract names start with a NUL byte and are not NUL-terminated; Asio's
  // endpoint takes both kinds, by length.
  if (name.starts_with('@')) name[0] = '\0';
  return asio::local::stream_protocol::endpoint(name);
}

std::string target_text(std::string_view host, std::uint16_t port, std::string_view unix_path) {
  if (!unix_path.empty()) return std::string(unix_path);
  return fmt::format("{} port {}", host, port);
}

}  // namespace tcpecho

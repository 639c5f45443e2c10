// What Python prints: repr() of bytes, addresses; see python_format.hpp.
#include "output/python_format.hpp"

#include "net/endpoints.hpp"

#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>

namespace tcpecho::python {

std::string bytes_repr(std::string_view data) {
  const bool has_single = data.find('\'') != std::string_view::npos;
  const bool has_double = data.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';

  std::string out;
  out.reserve(data.size() + 3);
  out += 'b';
  out += quote;
  for (const char c : data) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

std::string endpoint_repr(const tcp::endpoint& endpoint) {
  if (endpoint.protocol() == tcp::v4()) {
    // By hand: Asio's to_string() goes through inet_ntop(), which is sprintf()
    // underneath and the costliest part of logging a connection.
    const auto b = endpoint.address().to_v4().to_bytes();
    return fmt::format("('{}.{}.{}.{}', {})", b[0], b[1], b[2], b[3], endpoint.port());
  }
  const std::string host = endpoint.address().to_string();
  // Asio does not expose flowinfo; read it from the sockaddr like Python does.
  const auto* raw = reinterpret_cast<const sockaddr_in6*>(endpoint.data());
  return fmt::format("('{}', {}, {}, {})", host, endpoint.port(), ntohl(raw->sin6_flowinfo),
                     raw->sin6_scope_id);
}

std::string endpoint_repr(const Endpoint& endpoint) {
  const int family = endpoint.protocol().family();
  if (family == AF_INET || family == AF_INET6) {
    return endpoint_repr(ip_endpoint(endpoint));
  }
  if (family == AF_UNIX) {
    const auto* raw = reinterpret_cast<const sockaddr_un*>(endpoint.data());
    const std::size_t length = endpoint.size() - offsetof(sockaddr_un, sun_path);
    // Python: bytes for Linux's abstract namespace, a string for a path
    // (empty for an unnamed socket), which print() shows without quotes.
    if (length > 0 && raw->sun_path[0] == '\0') return bytes_repr({raw->sun_path, length});
    return std::string(raw->sun_path, ::strnlen(raw->sun_path, length));
  }
  return fmt::format("(address family {})", family);
}

}  // namespace tcpecho::python

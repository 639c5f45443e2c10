// Where a client connects and what it calls that place: the addresses a
// host name resolved to, or the path of a Unix domain socket. A path that
// begins with '@' names a socket in Linux's abstract namespace, as ss(8),
// socat and systemd write it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/address_family.hpp"
#include "net/stream.hpp"

namespace tcpecho {

// A TCP endpoint held as a generic one, as its own type again.
tcp::endpoint ip_endpoint(const Endpoint& endpoint);

// A listening TCP socket's "any address" ("0.0.0.0", "::").
bool is_wildcard(const Endpoint& endpoint);

// Whether `address` is of the family -4/-6 asked for.
bool in_family(const asio::ip::address& address, AddressFamily family);

// The addresses a name resolved to, of `family` only. Empty: a name with no
// address of that family, which no_address_of() says.
std::vector<Endpoint> endpoints_of(const tcp::resolver::results_type& results,
                                   AddressFamily family = AddressFamily::any);
asio::error_code no_address_of(AddressFamily family);

// The path must fit a sockaddr_un (the CLI checks: at most unix_path_max bytes).
Endpoint unix_endpoint(std::string_view path);
inline constexpr std::size_t unix_path_max = 107;

// A Unix socket's name as ss(8) and --unix write it: "@name" in the
// abstract namespace, empty for an unnamed socket.
std::string unix_name(const Endpoint& endpoint);

// How messages name the server: "HOST port PORT", or the socket's path.
std::string target_text(std::string_view host, std::uint16_t port, std::string_view unix_path);

}  // namespace tcpecho

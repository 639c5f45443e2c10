// Where serve listens and send and bench connect, as the command line says
// it: --host (also "HOST:PORT" and "[IPV6]:PORT", as nc and URLs write it),
// --port (a decimal number or a service name), -4/-6, --unix, and --timeout,
// with the environment variables that stand in for them.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "config/address_family.hpp"

namespace tcpecho {

// A port as people type it: decimal digits (not 0x50), or a service name
// from /etc/services ("echo"); none if it is neither.
std::optional<std::uint16_t> port_number(std::string_view text);
// port_number(), or a CLI::ValidationError naming `option`.
std::uint16_t checked_port(const std::string& option, const std::string& text);

// "[::1]:3000", "[::1]", "host:3000" or a bare host, as host and port (an
// IPv6 address has colons of its own, so only brackets give it a port).
// Throws CLI::ValidationError naming `option`.
std::pair<std::string, std::optional<std::string>> split_host(const std::string& option,
                                                              const std::string& text);

// "unix:PATH", "HOST:PORT" or "[IPV6]:PORT", the address of a --listen or
// --target SPEC (`address`: its part before any options). Throws
// CLI::ValidationError naming `option` and the whole `spec`.
struct AddressSpec {
  std::string host;
  std::uint16_t port = 0;
  std::string unix_path;  // instead of host and port
};
AddressSpec parse_address_spec(const std::string& option, std::string_view spec,
                               const std::string& address);

// What the endpoint options fill in while CLI11 parses; settle() puts it
// together with the config's fields once parsing is over.
struct EndpointRequest {
  std::optional<std::uint16_t> port_in_host;  // from --host HOST:PORT
  bool ipv4 = false;
  bool ipv6 = false;
  const CLI::Option* host = nullptr;
  const CLI::Option* port = nullptr;
  const CLI::Option* unix_path = nullptr;
  bool port_zero_allowed = true;  // serve: any free port; a client has nowhere to go

  // The first of --host, --port, --unix the user typed (rather than left to
  // the environment), if any.
  const CLI::Option* typed_option() const;

  // Applies --host's port and -4/-6 (-6 without --host means ::1), and
  // refuses what contradicts itself: a port in --host and --port, --unix
  // with --host or --port, port 0 for a client.
  template <typename Config>
  void settle(Config& config) const {
    settle(config.host, config.port, config.family);
  }
  void settle(std::string& host, std::uint16_t& port, AddressFamily& family) const;
};

void add_endpoint_options(CLI::App& app, EndpointRequest& request, std::string& host,
                          std::uint16_t& port, std::chrono::milliseconds& timeout,
                          const std::string& host_help, const std::string& port_help,
                          const std::string& timeout_help);

// --unix PATH: a Unix domain socket instead of host and port.
void add_unix_option(CLI::App& app, EndpointRequest& request, std::string& path,
                     const std::string& help);

}  // namespace tcpecho

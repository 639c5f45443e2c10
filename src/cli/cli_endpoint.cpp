// The endpoint options: see cli_endpoint.hpp.
#include "cli/cli_endpoint.hpp"

#include <fmt/format.h>
#include <netdb.h>

#include <charconv>
#include <cstdlib>

#include "cli/cli_options.hpp"
#include "net/endpoints.hpp"

namespace tcpecho {
namespace {

// Whether the user gave `option` on the command line, rather than leaving it
// to its environment variable (a default that other options may override).
bool typed(const CLI::Option& option) {
  if (option.count() == 0) return false;
  const std::string& name = option.get_envname();
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
  return value == nullptr || option.results() != std::vector<std::string>{value};
}

}  // namespace

std::pair<std::string, std::optional<std::string>> split_host(const std::string& option,
                                                              const std::string& text) {
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string::npos) throw CLI::ValidationError(option, "'" + text + "' lacks ']'");
    const std::string rest = text.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':'))
      throw CLI::ValidationError(option, "'" + text + "' has more after ']' than ':PORT'");
    return {text.substr(1, close - 1), rest.empty() ? std::nullopt : std::optional(rest.substr(1))};
  }
  const auto colon = text.find(':');
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos) {
    return {text, std::nullopt};
  }
  return {text.substr(0, colon), text.substr(colon + 1)};
}

std::uint16_t checked_port(const std::string& option, const std::string& text) {
  const auto port = port_number(text);
  if (!port) {
    throw CLI::ValidationError(
        option, fmt::format("'{}' is neither a port number (0 to 65535) nor a service name", text));
  }
  return *port;
}

std::optional<std::uint16_t> port_number(std::string_view text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
  if (!text.empty() && error == std::errc() && end == text.data() + text.size()) {
    if (value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
  }
  if (text.empty() || text.find_first_of("0123456789") == 0) return std::nullopt;
  const std::string name(text);
  const servent* service = ::getservbyname(name.c_str(), "tcp");
  if (service == nullptr) return std::nullopt;
  return ntohs(static_cast<std::uint16_t>(service->s_port));
}

AddressSpec parse_address_spec(const std::string& option, std::string_view spec,
                               const std::string& address) {
  const auto refuse = [&](std::string_view why) {
    throw CLI::ValidationError(option, fmt::format("'{}': {}", spec, why));
  };
  AddressSpec parsed;
  if (address.starts_with("unix:")) {
    parsed.unix_path = address.substr(5);
    if (parsed.unix_path.empty() || parsed.unix_path == "@") refuse("the path is empty");
    if (parsed.unix_path.size() > unix_path_max)
      refuse(fmt::format("the path is longer than {} bytes", unix_path_max));
    return parsed;
  }
  auto [host, port] = split_host(option, address);
  if (host.find(':') != std::string::npos && !address.starts_with('['))
    refuse("an IPv6 address goes in brackets: [::1]:3000");
  if (host.empty() || !port) refuse("is neither HOST:PORT, [IPV6]:PORT nor unix:PATH");
  parsed.host = host;
  parsed.port = checked_port(option, *port);
  return parsed;
}

const CLI::Option* EndpointRequest::typed_option() const {
  for (const auto* option : {host, port, unix_path}) {
    if (option != nullptr && typed(*option)) return option;
  }
  return nullptr;
}

void EndpointRequest::settle(std::string& host_name, std::uint16_t& port_value,
                             AddressFamily& family) const {
  if (unix_path != nullptr && unix_path->count() > 0) {
    for (const auto* option : {host, port}) {
      if (typed(*option))
        throw CLI::ValidationError(option->get_name(), "does not apply with --unix");
    }
  }
  if (port_in_host) {
    if (typed(*port)) throw CLI::ValidationError("--port", "--host already gives a port");
    port_value = *port_in_host;
  }
  if (ipv4 && ipv6) throw CLI::ValidationError("-4", "excludes -6");
  family = ipv4 ? AddressFamily::ipv4 : ipv6 ? AddressFamily::ipv6 : AddressFamily::any;
  if (ipv6 && host->count() == 0) host_name = "::1";
  if (!port_zero_allowed && port_value == 0 && (unix_path == nullptr || unix_path->count() == 0))
    throw CLI::ValidationError("--port", "0 is no port to connect to");
}

void add_endpoint_options(CLI::App& app, EndpointRequest& request, std::string& host,
                          std::uint16_t& port, std::chrono::milliseconds& timeout,
                          const std::string& host_help, const std::string& port_help,
                          const std::string& timeout_help) {
  request.host = app.add_option_function<std::string>(
                        "--host",
                        [&host, &request](const std::string& text) {
                          auto [name, port_text] = split_host("--host", text);
                          if (name.empty())
                            throw CLI::ValidationError("--host", "must not be empty");
                          host = name;
                          if (port_text) request.port_in_host = checked_port("--host", *port_text);
                        },
                        host_help + "; also HOST:PORT or [IPV6]:PORT")
                     ->type_name("HOST")
                     ->envname("TCPECHO_HOST")
                     ->default_str(host);
  request.port =
      app.add_option_function<std::string>(
             "-p,--port", [&port](const std::string& text) { port = checked_port("--port", text); },
             port_help + "; a number or a service name (echo)")
          ->type_name("PORT")
          ->envname("TCPECHO_PORT")
          ->default_str(std::to_string(port));
  app.add_flag("-4", request.ipv4, "IPv4 addresses only");
  app.add_flag("-6", request.ipv6, "IPv6 addresses only; without --host, ::1");
  add_seconds_option(app, "--timeout", timeout, timeout_help)->envname("TCPECHO_TIMEOUT");
}

void add_unix_option(CLI::App& app, EndpointRequest& request, std::string& path,
                     const std::string& help) {
  request.unix_path =
      app.add_option("--unix", path,
                     help +
                         "; instead of --host and --port. A path that begins with '@' is in "
                         "Linux's abstract namespace")
          ->type_name("PATH")
          ->check(CLI::Validator(
              [](std::string& value) {
                if (value.empty() || value == "@") return std::string("must not be empty");
                if (value.size() > unix_path_max)
                  return fmt::format("is longer than {} bytes", unix_path_max);
                return std::string();
              },
              ""));
}

}  // namespace tcpecho

// --listen SPEC: see cli_listen.hpp.
#include "cli/cli_listen.hpp"

#include <fmt/format.h>

#include "net/endpoints.hpp"

namespace tcpecho {
namespace {

[[noreturn]] void refuse(std::string_view spec, std::string_view why) {
  throw CLI::ValidationError("--listen", fmt::format("'{}': {}", spec, why));
}

// "tls", "tls=on", "tls=off".
bool switch_value(std::string_view spec, std::string_view option, std::string_view value) {
  if (value.empty() || value == "on") return true;
  if (value == "off") return false;
  refuse(spec, fmt::format("{}={} is neither on nor off", option, value));
}

// One comma-separated option after the address.
void apply_option(std::string_view spec, std::string_view option, ListenerConfig& listener) {
  const auto equals = option.find('=');
  const auto name = option.substr(0, equals);
  const auto value = equals == std::string_view::npos ? "" : option.substr(equals + 1);
  if (name == "mode" && (value == "reply" || value == "echo")) {
    listener.mode = value == "echo" ? ServeMode::echo : ServeMode::reply;
  } else if (name == "mode") {
    refuse(spec, fmt::format("mode={} is neither reply nor echo", value));
  } else if (name == "tls") {
    listener.tls = switch_value(spec, name, value);
  } else if (name == "proxy-protocol") {
    listener.proxy_protocol = switch_value(spec, name, value);
  } else {
    refuse(spec, fmt::format("'{}' is not one of mode=reply|echo, tls, proxy-protocol", option));
  }
}

// "unix:PATH", "HOST:PORT", "[IPV6]:PORT".
void apply_address(std::string_view spec, const std::string& address, ListenerConfig& listener) {
  auto parsed = parse_address_spec("--listen", spec, address);
  listener.host = std::move(parsed.host);
  listener.port = parsed.port;
  listener.unix_path = std::move(parsed.unix_path);
}

}  // namespace

ListenerConfig parse_listener(std::string_view spec, const ListenerConfig& defaults) {
  ListenerConfig listener = defaults;
  listener.spec = std::string(spec);
  listener.host.clear();
  listener.unix_path.clear();
  const auto comma = spec.find(',');
  apply_address(spec, std::string(spec.substr(0, comma)), listener);
  for (auto rest = comma; rest != std::string_view::npos;) {
    const auto next = spec.find(',', rest + 1);
    const auto option =
        spec.substr(rest + 1, next == std::string_view::npos ? next : next - rest - 1);
    if (option.empty()) refuse(spec, "has an empty option");
    apply_option(spec, option, listener);
    rest = next;
  }
  return listener;
}

CLI::Option* add_listen_option(CLI::App& serve, ServerConfig& config) {
  return serve
      .add_option_function<std::vector<std::string>>(
          "--listen",
          [&config](const std::vector<std::string>& specs) {
            for (const auto& spec : specs) {
              // A mistake is refused now, where it was typed.
              config.listeners.push_back(parse_listener(spec, ListenerConfig()));
            }
          },
          "Where to listen, repeatable: HOST:PORT, [IPV6]:PORT or unix:PATH, then "
          "comma-separated options mode=reply|echo, tls, proxy-protocol (tls=off, "
          "proxy-protocol=off to opt out); --mode, --tls and --proxy-protocol are the defaults "
          "of those that do not say. Replaces --host, --port and --unix. Example: --listen "
          "127.0.0.1:3000 --listen '[::1]:3001,mode=echo,tls'")
      ->type_name("SPEC");
}

void settle_listeners(const EndpointRequest& endpoint, ServerConfig& config) {
  if (config.listeners.empty()) return;
  if (const auto* given = endpoint.typed_option())
    throw CLI::ValidationError(given->get_name(), "does not apply with --listen");
  ListenerConfig defaults;
  defaults.mode = config.mode;
  defaults.tls = config.tls.has_value();
  defaults.proxy_protocol = config.proxy_protocol;
  for (auto& listener : config.listeners) listener = parse_listener(listener.spec, defaults);
}

}  // namespace tcpecho

// `serve --listen SPEC`, repeatable: several places to listen at once, each
// with its own mode, TLS and PROXY protocol. SPEC is HOST:PORT, [IPV6]:PORT
// or unix:PATH, then comma-separated options: mode=reply|echo, tls (or
// tls=on|off), proxy-protocol (or proxy-protocol=on|off). What a SPEC does
// not say, the server-wide --mode, --tls and --proxy-protocol do.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

#include "cli/cli_endpoint.hpp"
#include "config/server_config.hpp"

namespace tcpecho {

// A listener as SPEC describes it, `defaults` where it is silent. Throws
// CLI::ValidationError naming --listen and what is wrong.
ListenerConfig parse_listener(std::string_view spec, const ListenerConfig& defaults);

// --listen, which fills config.listeners with each SPEC as written (checked,
// and parsed again by settle_listeners() once the defaults are known).
CLI::Option* add_listen_option(CLI::App& serve, ServerConfig& config);

// Once everything is parsed: each listener with the defaults applied, and
// --listen refused beside --host, --port and --unix, which it replaces.
void settle_listeners(const EndpointRequest& endpoint, ServerConfig& config);

}  // namespace tcpecho

// One place a server listens, and what it does there: `--listen SPEC`
// (cli/cli_listen.cpp), or the one listener --host/--port/--unix describe,
// or a socket systemd handed over. Each listener has its own mode, TLS and
// PROXY protocol; everything else about serving is server-wide.
#pragma once

#include <cstdint>
#include <string>

namespace tcpecho {

enum class ServeMode {
  reply,  // the seed's exchange: read the message, answer with the reply
  echo,   // RFC 862: send back everything received until the client closes
};

struct ListenerConfig {
  // The --listen SPEC as written, to name the listener in messages and
  // metrics; empty for the one --host/--port/--unix describe.
  std::string spec;
  // Where: a host (a name, or an address) and port; or a Unix socket's path;
  // or a descriptor from the service manager.
  std::string host;
  std::uint16_t port = 0;
  std::string unix_path;
  int inherited_socket = -1;
  // What: the server-wide --mode, --tls and --proxy-protocol where SPEC is
  // silent.
  ServeMode mode = ServeMode::reply;
  bool tls = false;
  bool proxy_protocol = false;
};

}  // namespace tcpecho

// What `tcpecho serve` is asked to do, as the command line left it: every
// value already checked. Needs no Asio, so the CLI does not either.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/address_family.hpp"
#include "config/cidr.hpp"
#include "config/listener_config.hpp"
#include "config/log_format.hpp"
#include "config/tls_config.hpp"
#include "seed.hpp"

namespace tcpecho {

using namespace std::chrono_literals;

// --metrics HOST:PORT: where /metrics is served; HOST is an address.
struct MetricsAddress {
  std::string host;
  std::uint16_t port = 0;
};

struct ServerConfig {
  using Mode = ServeMode;
  Mode mode = Mode::reply;  // of listeners that do not say
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;                  // 0: any free port
  AddressFamily family = AddressFamily::any;  // -4, -6: only addresses of that family
  std::string unix_path;                      // a Unix domain socket instead of host and port
  std::optional<mode_t> unix_mode;  // its file's permissions; none: as the umask leaves them
  std::size_t message_length = seed_greeting.size();  // len(b"Greetings, server")
  std::string reply{seed_reply};
  // Reply mode: from accept to close. Echo mode: without progress. 0: none.
  std::chrono::milliseconds timeout = 10s;
  std::size_t max_connections = 10'000;  // in all, across threads and addresses
  std::chrono::milliseconds grace = 3s;  // for exchanges in flight at shutdown
  // Listening sockets handed over by systemd; when present, host and port
  // are not used.
  std::vector<int> inherited_sockets;
  // --listen, each with its mode, TLS and PROXY protocol settled; none: one
  // listener where host and port (or unix_path) say.
  std::vector<ListenerConfig> listeners;
  std::size_t threads = 1;  // each with its own io_context, sockets and connections
  LogFormat log_format = LogFormat::transcript;
  bool quiet = false;    // no per-connection lines
  bool verbose = false;  // echo mode: a line per chunk; TLS: a line per handshake
  // The certificate and what may be negotiated, when some listener serves
  // TLS: every one that does not say otherwise (--tls) when given here and
  // `listeners` is empty.
  std::optional<TlsServerOptions> tls;
  // Each connection begins with a PROXY protocol header (v1 or v2) naming
  // the client (on listeners that do not say otherwise); from these
  // addresses only, when any are given.
  bool proxy_protocol = false;
  std::vector<Cidr> proxy_from;
  // Clients refused: any --deny matches, or --allow names some and none
  // matches, or --max-per-client connections of theirs are open (0: no limit).
  std::vector<Cidr> allow;
  std::vector<Cidr> deny;
  std::size_t max_per_client = 0;
  std::optional<MetricsAddress> metrics;  // none: no metrics

  // Where the server listens, and what it does there: systemd's sockets,
  // else `listeners`, else host and port (or unix_path), with the server-wide
  // mode, TLS and PROXY protocol where a listener did not choose its own.
  std::vector<ListenerConfig> every_listener() const {
    ListenerConfig listener;
    listener.mode = mode;
    listener.tls = tls.has_value();
    listener.proxy_protocol = proxy_protocol;
    std::vector<ListenerConfig> all;
    for (int socket : inherited_sockets) {
      listener.inherited_socket = socket;
      all.push_back(listener);
    }
    if (!all.empty()) return all;
    if (!listeners.empty()) return listeners;
    listener.host = host;
    listener.port = port;
    listener.unix_path = unix_path;
    return {listener};
  }
};

}  // namespace tcpecho

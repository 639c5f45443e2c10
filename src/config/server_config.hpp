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
#include "config/tls_config.hpp"
#include "seed.hpp"

namespace tcpecho {

using namespace std::chrono_literals;

struct ServerConfig {
  enum class Mode {
    reply,  // the seed's exchange: read the message, answer with the reply
    echo,   // RFC 862: send back everything received until the client closes
  };
  Mode mode = Mode::reply;
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;                          // 0: any free port
  AddressFamily family = AddressFamily::any;  // -4, -6: only addresses of that family
  std::string unix_path;              // a Unix domain socket instead of host and port
  std::optional<mode_t> unix_mode;    // its file's permissions; none: as the umask leaves them
  std::size_t message_length = seed_greeting.size();  // len(b"Greetings, server")
  std::string reply{seed_reply};
  // Reply mode: from accept to close. Echo mode: without progress. 0: none.
  std::chrono::milliseconds timeout = 10s;
  std::size_t max_connections = 10'000;  // in all, across threads and addresses
  std::chrono::milliseconds grace = 3s;  // for exchanges in flight at shutdown
  // Listening sockets handed over by systemd; when present, host and port
  // are not used.
  std::vector<int> inherited_sockets;
  std::size_t threads = 1;  // each with its own io_context, sockets and connections
  enum class LogFormat { transcript, json };
  LogFormat log_format = LogFormat::transcript;  // json: one object per line
  bool quiet = false;       // no per-connection lines
  bool verbose = false;     // echo mode: a line per chunk; TLS: a line per handshake
  std::optional<TlsServerOptions> tls;  // none: plain TCP
  // Each connection begins with a PROXY protocol header (v1 or v2) naming
  // the client; from these addresses only, when any are given.
  bool proxy_protocol = false;
  std::vector<Cidr> proxy_from;
  // Clients refused: any --deny matches, or --allow names some and none
  // matches, or --max-per-client connections of theirs are open (0: no limit).
  std::vector<Cidr> allow;
  std::vector<Cidr> deny;
  std::size_t max_per_client = 0;
};

}  // namespace tcpecho

// What `tcpecho send` is asked to do, as the command line left it: every
// value already checked. Needs no Asio, so the CLI does not either.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "config/address_family.hpp"
#include "config/log_format.hpp"
#include "config/tls_config.hpp"
#include "seed.hpp"

namespace tcpecho {

using namespace std::chrono_literals;

// --message-file: the message is held in memory, so a larger file is refused.
inline constexpr std::size_t max_message_file = 16 * 1024 * 1024;

struct ClientConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  AddressFamily family = AddressFamily::any;  // -4, -6: only addresses of that family
  std::string unix_path;                      // instead of host and port, when given
  std::string message{seed_greeting};
  std::chrono::milliseconds timeout = 10s;  // for each whole exchange; 0: none
  std::size_t count = 1;                    // exchanges, one after another
  std::optional<std::string> expect;        // the reply must be exactly this
  std::optional<TlsClientOptions> tls;      // none: plain TCP
  bool verbose = false;                     // TLS: a line about the session
  bool half_close = true;                   // shut down sending after the message
  LogFormat log_format = LogFormat::transcript;
};

}  // namespace tcpecho

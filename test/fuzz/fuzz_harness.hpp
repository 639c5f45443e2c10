// What the server fuzz targets share: a server in-process on loopback, how
// a broken invariant ends the run, and how an input is read as one client.
//
// Input layout: byte 0 = flags (bit 0: reset instead of half-close; bit 1:
// the server echoes instead of replying), byte 1 = number of split points n
// (mod 8), next n bytes = chunk lengths, the rest = the bytes to send.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "asio_compat.hpp"
#include "output/output.hpp"
#include "server/server.hpp"

namespace tcpecho::fuzz {

[[noreturn]] inline void fail(const std::string& why) {
  std::fprintf(stderr, "server invariant broken: %s\n", why.c_str());
  std::abort();
}

// A server on a free loopback port, run by the target between inputs.
struct Harness {
  Harness(ServerConfig::Mode mode, std::optional<TlsServerOptions> tls)
      : server(io.get_executor(), config(mode, std::move(tls)), out) {
    // A failure inside the server is thrown out of run(): the fuzzer's crash.
    co_spawn(io, server.run(), [](std::exception_ptr failure) {
      if (failure) std::rethrow_exception(failure);
    });
  }
  static ServerConfig config(ServerConfig::Mode mode, std::optional<TlsServerOptions> tls) {
    ServerConfig config;
    config.port = 0;
    config.timeout = std::chrono::seconds(5);
    config.mode = mode;
    config.tls = std::move(tls);
    return config;
  }
  asio::io_context io{1};
  CapturedOutput out;
  Server server;
};

struct Client {
  bool reset = false;
  bool echo = false;
  std::vector<std::string_view> chunks;
};

inline Client decode(std::string_view input) {
  Client client;
  if (input.empty()) return client;
  client.reset = (input[0] & 1) != 0;
  client.echo = (input[0] & 2) != 0;
  input.remove_prefix(1);
  std::size_t splits = input.empty() ? 0 : static_cast<unsigned char>(input[0]) % 8;
  if (!input.empty()) input.remove_prefix(1);
  std::vector<std::size_t> lengths;
  while (splits-- > 0 && !input.empty()) {
    lengths.push_back(static_cast<unsigned char>(input[0]));
    input.remove_prefix(1);
  }
  for (std::size_t length : lengths) {
    const auto take = std::min(length, input.size());
    client.chunks.push_back(input.substr(0, take));
    input.remove_prefix(take);
  }
  client.chunks.push_back(input);
  return client;
}

}  // namespace tcpecho::fuzz

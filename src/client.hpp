// `tcpecho send`: the seed's client.
//
// Resolves the host, connects to each address in turn until one answers,
// sends the message, half-closes, reads the reply until the server closes,
// and prints it. Every wait is bounded by the timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "asio_compat.hpp"
#include "exit_status.hpp"
#include "output.hpp"

namespace tcpecho {

using namespace std::chrono_literals;

struct ClientConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::string message = "Greetings, server";
  std::chrono::milliseconds timeout = 10s;  // for each whole exchange; 0: none
  std::size_t count = 1;                    // exchanges, one after another
  std::optional<std::string> expect;        // the reply must be exactly this
};

// A reply longer than this is an error, not an unbounded allocation.
inline constexpr std::size_t max_reply_size = 16 * 1024 * 1024;

// Runs `count` exchanges, one after another, stopping at the first failure.
// Prints each transcript, or one line naming the host, the port and what went
// wrong; returns the process's exit status.
awaitable<ExitStatus> send_message(const ClientConfig& config, Output& out);

}  // namespace tcpecho

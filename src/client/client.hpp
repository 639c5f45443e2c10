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
#include "config/client_config.hpp"
#include "exit_status.hpp"
#include "net/resolve.hpp"
#include "output/output.hpp"

namespace tcpecho {

// A reply longer than this is an error, not an unbounded allocation.
inline constexpr std::size_t max_reply_size = 16 * 1024 * 1024;

// Runs `count` exchanges, one after another, stopping at the first failure.
// Prints each transcript, or one line naming the host, the port and what went
// wrong; returns the process's exit status. The timeout bounds each exchange
// whole, name lookup (through `lookup`) included.
//
// A reply is an error (exchange_failed) when it is empty, or, for the seed's
// greeting, when it stops short of the seed's reply, as the seed's client
// reports; with --expect, only that comparison decides (unexpected_reply).
awaitable<ExitStatus> send_message(const ClientConfig& config, Output& out,
                                   NameLookup lookup = system_lookup);

}  // namespace tcpecho

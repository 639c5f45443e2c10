// Name resolution that a timeout can abandon.
//
// getaddrinfo() cannot be interrupted, and Asio's asynchronous resolver runs
// it on a private thread that it joins on shutdown, so a lookup stuck on a
// slow DNS server would hold up `send --timeout` until it ends by itself. Here
// the lookup runs on a detached thread of its own and the coroutine merely
// waits for its answer: cancelling the wait (a timeout won an `||`) returns at
// once, and an answer that comes later is thrown away.
#pragma once

#include <functional>
#include <string>
#include <tuple>

#include "asio_compat.hpp"

namespace tcpecho {

// A blocking lookup of a host and a numeric port.
using NameLookup = std::function<tcp::resolver::results_type(
    const std::string& host, const std::string& port, asio::error_code& error)>;

// The system's resolver (getaddrinfo()), as `tcp::resolver::resolve()` calls it.
tcp::resolver::results_type system_lookup(const std::string& host, const std::string& port,
                                          asio::error_code& error);

// Resolves `host` on another thread. Fails with operation_aborted when the
// wait is cancelled, whether or not the lookup has finished.
awaitable<std::tuple<asio::error_code, tcp::resolver::results_type>> resolve_abandonably(
    std::string host, std::uint16_t port, const NameLookup& lookup = system_lookup);

}  // namespace tcpecho

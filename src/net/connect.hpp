// Connecting a client's socket to the first of a host's addresses that
// answers, with the reason when none does.
#pragma once

#include <tuple>
#include <vector>

#include "net/stream.hpp"

namespace tcpecho {

// Tries each of `endpoints` in turn, as asio::async_connect does, and says
// why it failed where Asio says "operation aborted" without being cancelled
// (a socket it could not open: out of file descriptors).
awaitable<std::tuple<asio::error_code, Endpoint>> connect_first(
    Socket& socket, const std::vector<Endpoint>& endpoints);

// The same from the source address `source` (bench --source): only the
// endpoints of its family are tried, and the port is chosen at connect(), by
// the whole 4-tuple, so one source address has its ephemeral ports for each
// server address rather than once for all.
awaitable<std::tuple<asio::error_code, Endpoint>> connect_from(
    Socket& socket, const asio::ip::address& source, const std::vector<Endpoint>& endpoints);

}  // namespace tcpecho

// Where a server listens: --host resolved to its addresses, a socket bound
// and listening on each, or the sockets systemd handed over.
//
// With --threads, every thread has a socket of its own on each address
// (SO_REUSEPORT), and the kernel spreads new connections across them. The
// kernel lets any process of the same user join such a group, so the first
// thread's sockets are bound only after a plain bind() has shown that nobody
// else listens on the port: another server there is "address in use", as it
// is for a single thread.
#pragma once

#include <vector>

#include "asio_compat.hpp"
#include "server_config.hpp"

namespace tcpecho {

// The first thread's listening sockets. Throws StartupError.
std::vector<tcp::acceptor> listen(io_executor executor, const ServerConfig& config);

// Another thread's: on the same addresses and ports as `first`, or the same
// sockets from systemd. Throws StartupError.
std::vector<tcp::acceptor> listen_again(io_executor executor, const ServerConfig& config,
                                        const std::vector<tcp::endpoint>& first);

}  // namespace tcpecho

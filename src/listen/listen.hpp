// Where a server listens: --host resolved to its addresses, a socket bound
// and listening on each; a Unix domain socket (listen_unix.hpp); or the
// sockets systemd handed over.
//
// With --threads, every thread has a socket of its own on each address
// (SO_REUSEPORT), and the kernel spreads new connections across them. The
// kernel lets any process of the same user join such a group, so the first
// thread's sockets are bound only after a plain bind() has shown that nobody
// else listens on the port: another server there is "address in use", as it
// is for a single thread.
#pragma once

#include <vector>

#include "config/server_config.hpp"
#include "net/stream.hpp"

namespace tcpecho {

// The first thread's listening sockets. Throws StartupError.
std::vector<Acceptor> listen(io_executor executor, const ServerConfig& config);

// Another thread's, given the first thread's `endpoints` and `descriptors`:
// on the same TCP addresses and ports; or, for sockets from systemd and a
// Unix domain socket, the very same sockets. Throws StartupError.
std::vector<Acceptor> listen_again(io_executor executor, const ServerConfig& config,
                                   const std::vector<Endpoint>& endpoints,
                                   const std::vector<int>& descriptors);

}  // namespace tcpecho

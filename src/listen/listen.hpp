// Where a server listens: for each listener, its host resolved to its
// addresses, a socket bound and listening on each; a Unix domain socket
// (listen_unix.hpp); or the socket systemd handed over.
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

// A listening socket, and which of the config's every_listener() it serves
// (a name with several addresses has a socket on each).
struct ListeningSocket {
  Acceptor acceptor;
  std::size_t listener;
};

// The first thread's listening sockets, listener by listener. Throws
// StartupError naming the listener that cannot listen.
std::vector<ListeningSocket> listen(io_executor executor, const ServerConfig& config);

// Another thread's socket beside the first thread's `first`, which listens
// at `at` for `listener`: on the same TCP address and port; or, for a socket
// from systemd or a Unix domain socket, the very same socket. Throws
// StartupError.
Acceptor listen_again(io_executor executor, const ListenerConfig& listener, Acceptor& first,
                      const Endpoint& at);

}  // namespace tcpecho

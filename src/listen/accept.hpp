// Accepting a connection the way a hand-written epoll server does: only when
// one is queued (the server's accept loop waits for the listening socket to
// be readable first), with accept4(), which returns it non-blocking and
// close-on-exec in the same system call.
#pragma once

#include <functional>
#include <tuple>

#include "net/stream.hpp"

namespace tcpecho {

// Makes `acceptor` ready for try_accept(): it must be non-blocking.
void prepare_to_accept(Acceptor& acceptor, asio::error_code& error);

// listen() with the longest backlog the system allows, then ready for
// try_accept(), for a socket that is bound.
void start_listening(Acceptor& acceptor, asio::error_code& error);

// Whether a client may be served, by its address, before Asio sees its socket.
using Screen = std::function<bool(const Endpoint& peer)>;

// Accepts a connection that is already queued, without waiting: fails with
// would_block when none is (wait with acceptor.async_wait(wait_read)), with
// the system's error when accepting fails (out of descriptors, say), with
// connection_refused when `screen` turned the connection down: closed at
// once, never registered with the event loop, so that a flood of refused
// clients costs two system calls each.
std::tuple<asio::error_code, Socket, Endpoint> try_accept(Acceptor& acceptor,
                                                          const Screen& screen = {});

}  // namespace tcpecho

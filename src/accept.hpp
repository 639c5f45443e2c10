// Accepting a connection the way a hand-written epoll server does.
//
// Asio's async_accept() calls accept(), and the socket it returns then costs
// two more system calls that a C server does without: an ioctl() to make it
// non-blocking before its first operation, and an epoll_ctl() to take it out
// of epoll before it is closed (Asio cannot tell that a descriptor it was
// handed is no other's duplicate, whose closing would leave it registered).
// The seed's exchange costs about a dozen system calls per connection, so
// those two are a sixth of them. accept4() with SOCK_NONBLOCK returns a socket
// that needs neither, and Asio is told so.
#pragma once

#include <tuple>

#include "asio_compat.hpp"

namespace tcpecho {

// Makes `acceptor` ready for try_accept(): it must be non-blocking.
void prepare_to_accept(tcp::acceptor& acceptor, asio::error_code& error);

// Accepts a connection that is already queued, without waiting: fails with
// would_block when none is (wait with acceptor.async_wait(wait_read)), with
// the system's error when accepting fails (out of descriptors, say).
std::tuple<asio::error_code, tcp::socket, tcp::endpoint> try_accept(tcp::acceptor& acceptor);

}  // namespace tcpecho

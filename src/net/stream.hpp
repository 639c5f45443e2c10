// The sockets tcpecho serves and connects over: stream sockets of any
// address family, so that TCP (IPv4 and IPv6) and Unix domain sockets share
// every line that accepts, reads, writes and closes. What differs by family
// lives apart: where to listen (listen.cpp), where to connect (endpoints.cpp)
// and how an address prints (python_format.cpp).
#pragma once

#include <sys/socket.h>

#include "asio_compat.hpp"

namespace tcpecho {

using Stream = asio::generic::stream_protocol;
// On the io_context's own executor type rather than Asio's type-erased
// any_io_executor: a socket is 40 bytes smaller, in every connection.
using Socket = asio::basic_stream_socket<Stream, io_executor>;
using Acceptor = asio::basic_socket_acceptor<Stream, io_executor>;
using Endpoint = Stream::endpoint;

inline bool is_unix(const Endpoint& endpoint) { return endpoint.protocol().family() == AF_UNIX; }

}  // namespace tcpecho

// Python compatibility: the seed's transcript is made of Python `print()`
// output, so tcpecho formats bytes and socket addresses exactly as CPython
// does. Nothing else in tcpecho knows Python's rules.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "net/stream.hpp"

namespace tcpecho::python {

// repr(bytes), as CPython's _Py_bytes_repr writes it: b'...' or, when the
// data holds ' and no ", b"...". Never emits a raw control or non-ASCII byte.
std::string bytes_repr(std::string_view data);

// What socket.getsockname() / getpeername() return, as print() shows it:
// ('127.0.0.1', 3000) for IPv4, ('::1', 3000, 0, 0) for IPv6.
std::string endpoint_repr(const tcp::endpoint& endpoint);
// The same for any stream socket; a Unix domain socket's address as Python
// gives it: '/run/x.sock' prints as /run/x.sock, an unnamed client's as
// nothing, an abstract one's as bytes (b'\x00name').
std::string endpoint_repr(const Endpoint& endpoint);

}  // namespace tcpecho::python

template <>
struct fmt::formatter<tcpecho::Endpoint> : fmt::formatter<std::string_view> {
  auto format(const tcpecho::Endpoint& endpoint, fmt::format_context& context) const {
    return fmt::formatter<std::string_view>::format(tcpecho::python::endpoint_repr(endpoint),
                                                    context);
  }
};

// Reading a connection's PROXY header off its Link, before anything else
// reads it (and before a TLS handshake: the load balancer sends the header
// in the clear, ahead of the client's bytes).
#pragma once

#include <optional>

#include "proxy/proxy_header.hpp"
#include "transport/link.hpp"

namespace tcpecho {

struct ProxyHeaderRead {
  asio::error_code error;  // a proxy::Error, or the read's own
  // The client the header names; none: the connection's own peer.
  std::optional<Endpoint> source;
};

// Reads exactly the header, as far as the header tells; bytes a version 1
// read brought past its end go back to the Link, first in line for the
// reads that follow.
awaitable<ProxyHeaderRead> read_proxy_header(Link& link);

}  // namespace tcpecho

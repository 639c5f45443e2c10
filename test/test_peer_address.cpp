// PeerAddress gives back the address it was made from, byte for byte, for
// every kind of peer the server can accept: IPv4, IPv6 with a scope, and Unix
// sockets unnamed, named and abstract.
#include <doctest/doctest.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>

#include "net/endpoints.hpp"
#include "net/peer_address.hpp"
#include "output/python_format.hpp"

using tcpecho::Endpoint;
using tcpecho::PeerAddress;
using tcpecho::tcp;

namespace {

void check_round_trip(const Endpoint& endpoint, bool is_unix) {
  const PeerAddress peer(endpoint);
  const Endpoint back = peer.endpoint();
  CHECK(peer.is_unix() == is_unix);
  REQUIRE(back.size() == endpoint.size());
  CHECK(std::memcmp(back.data(), endpoint.data(), endpoint.size()) == 0);
  CHECK(tcpecho::python::endpoint_repr(back) == tcpecho::python::endpoint_repr(endpoint));
}

}  // namespace

TEST_CASE("a peer's address comes back as it was given") {
  check_round_trip(Endpoint(tcp::endpoint(asio::ip::make_address("192.0.2.7"), 40123)), false);
  auto v6 = asio::ip::make_address_v6("fe80::1");
  v6.scope_id(2);
  check_round_trip(Endpoint(tcp::endpoint(v6, 443)), false);
  check_round_trip(tcpecho::unix_endpoint("/tmp/tcpecho-client.sock"), true);
  check_round_trip(tcpecho::unix_endpoint("@tcpecho-abstract"), true);
  // An unnamed client: the family alone.
  sockaddr_un unnamed{};
  unnamed.sun_family = AF_UNIX;
  check_round_trip(Endpoint(&unnamed, offsetof(sockaddr_un, sun_path), 0), true);
}

// PeerAddress gives back the address it was made from, byte for byte, for
// every kind of peer the server can accept: IPv4, IPv6 with a scope, and Unix
// sockets unnamed, named and abstract.
#include <doctest/doctest.h>
#include <sys/un.h>

#include <cstddef>
#include <cstring>
#include <string>

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

TEST_CASE("address blocks hold what their prefix covers, IPv4 clients of a dual-stack socket too") {
  std::string why;
  const auto ten = tcpecho::Cidr::parse("10.0.0.0/8", why);
  const auto doc6 = tcpecho::Cidr::parse("2001:db8::/32", why);
  const auto one = tcpecho::Cidr::parse("192.0.2.7", why);
  REQUIRE(ten);
  REQUIRE(doc6);
  REQUIRE(one);
  CHECK(ten->text() == "10.0.0.0/8");
  CHECK(doc6->text() == "2001:db8::/32");
  CHECK(one->text() == "192.0.2.7/32");
  CHECK(tcpecho::Cidr::parse("10.1.2.3/8", why)->text() == "10.0.0.0/8");

  const auto peer = [](const char* address) {
    return PeerAddress(Endpoint(tcp::endpoint(asio::ip::make_address(address), 1)));
  };
  CHECK(peer("10.255.0.1").within({*ten}));
  CHECK(peer("::ffff:10.1.1.1").within({*ten}));
  CHECK_FALSE(peer("11.0.0.1").within({*ten}));
  CHECK(peer("2001:db8:ffff::1").within({*ten, *doc6}));
  CHECK_FALSE(peer("2001:db9::1").within({*ten, *doc6}));
  CHECK(peer("192.0.2.7").within({*one}));
  CHECK_FALSE(peer("192.0.2.8").within({*one}));
  CHECK_FALSE(PeerAddress(tcpecho::unix_endpoint("/tmp/x.sock")).within({*ten}));

  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "host", "1.2.3.4/8x"}) {
    CAPTURE(bad);
    CHECK_FALSE(tcpecho::Cidr::parse(bad, why));
    CHECK_FALSE(why.empty());
  }
}

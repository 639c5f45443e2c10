// Admission's per-client count and the refusal log's window, with the clock
// in the test's hands: told once per address per window, the next telling
// carrying the count of those not told.
#include <doctest/doctest.h>

#include "net/endpoints.hpp"
#include "server/admission.hpp"
#include "server/refusal_log.hpp"

using tcpecho::Admission;
using tcpecho::Endpoint;
using tcpecho::PeerAddress;
using tcpecho::RefusalLog;
using tcpecho::tcp;

namespace {

PeerAddress client(const char* address) {
  return PeerAddress(Endpoint(tcp::endpoint(asio::ip::make_address(address), 1)));
}

}  // namespace

TEST_CASE("a refusal is told once per address per window, then with the count untold") {
  RefusalLog log;
  const auto start = RefusalLog::Clock::time_point{};
  const auto a = *client("192.0.2.1").ip_bytes();
  const auto b = *client("192.0.2.2").ip_bytes();
  CHECK(log.tell(a, start) == std::optional<std::size_t>{0});
  CHECK_FALSE(log.tell(a, start + std::chrono::seconds(1)));
  CHECK_FALSE(log.tell(a, start + std::chrono::seconds(9)));
  CHECK(log.tell(b, start + std::chrono::seconds(9)) == std::optional<std::size_t>{0});
  CHECK(log.tell(a, start + RefusalLog::window) == std::optional<std::size_t>{2});
  CHECK_FALSE(log.tell(a, start + RefusalLog::window + std::chrono::seconds(1)));
}

TEST_CASE("--max-per-client counts an IPv4 client by its address and an IPv6 one by its /64") {
  tcpecho::ServerConfig config;
  config.max_per_client = 1;
  Admission admission(config);
  CHECK_FALSE(admission.admit(client("192.0.2.1")));
  CHECK(admission.admit(client("192.0.2.1")) == Admission::Refusal::per_client);
  CHECK_FALSE(admission.admit(client("192.0.2.2")));
  CHECK_FALSE(admission.admit(client("2001:db8::1")));
  CHECK(admission.admit(client("2001:db8::ffff")) == Admission::Refusal::per_client);
  CHECK_FALSE(admission.admit(client("2001:db8:0:1::1")));
  admission.leave(client("192.0.2.1"));
  admission.leave(client("2001:db8::1"));
  CHECK_FALSE(admission.admit(client("192.0.2.1")));
  CHECK_FALSE(admission.admit(client("2001:db8::2")));
  // Unix clients are not judged, nor counted.
  CHECK_FALSE(admission.admit(PeerAddress(tcpecho::unix_endpoint("/tmp/c.sock"))));
  CHECK_FALSE(admission.admit(PeerAddress(tcpecho::unix_endpoint("/tmp/c.sock"))));
}

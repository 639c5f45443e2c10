// The server's limits in time and number, in-process over loopback: clients
// past --max-connections wait their turn, and a shutdown closes idle clients
// at once, answers those whose message is in, and ends the rest at the grace
// period or at abort().
#include <doctest/doctest.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

const std::string greeting = "Greetings, server";
const std::string reply = "Goodbye, client!";

}  // namespace

TEST_CASE("past --max-connections, clients wait in the backlog and are served in turn") {
  auto config = loopback_config();
  config.max_connections = 1;
  ServerFixture f(config);
  std::string first_peer, second_peer;
  f.run([&]() -> awaitable<void> {
    auto first = co_await connect_to(f.endpoint());
    auto second = co_await connect_to(f.endpoint());  // completes in the kernel's backlog
    first_peer = python::endpoint_repr(first.local_endpoint());
    second_peer = python::endpoint_repr(second.local_endpoint());
    co_await send_bytes(second, greeting);
    co_await send_bytes(first, greeting);
    CHECK((co_await read_to_end(first)).bytes == reply);
    first.close();
    CHECK((co_await read_to_end(second)).bytes == reply);
  });
  CHECK(position(f.out, "Connection from " + first_peer) < position(f.out, "  Closing socket"));
  CHECK(position(f.out, "Connection from " + second_peer) > position(f.out, "  Closing socket"));
  CHECK(position(f.out, "Connection from " + second_peer) < std::ssize(f.out.lines));
}

TEST_CASE("shutdown closes idle clients at once and lets an exchange in flight finish") {
  auto config = loopback_config();
  config.grace = 5s;
  ServerFixture f(config);
  f.run([&]() -> awaitable<void> {
    auto idle = co_await connect_to(f.endpoint());
    auto busy = co_await connect_to(f.endpoint());
    co_await send_bytes(busy, "Greetings");
    f.server.shutdown("test");
    CHECK((co_await read_to_end(idle)).bytes.empty());
    // New clients are refused.
    Socket late(co_await asio::this_coro::executor);
    auto [refused] = co_await late.async_connect(f.endpoint(), nothrow_awaitable);
    CHECK(refused == asio::error::connection_refused);
    co_await send_bytes(busy, ", server");
    CHECK((co_await read_to_end(busy)).bytes == reply);
  });
  CHECK(logged(f.out, "Shutting down (test): 1 exchange in progress, up to 5s to finish"));
  CHECK(logged(f.out, "  message from client: b'Greetings, server'"));
}

TEST_CASE("a client whose message is in when shutdown begins is answered") {
  auto config = loopback_config();
  config.grace = 5s;
  ServerFixture f(config);
  // The shutdown runs next after the server's first look at the connection,
  // before anything that look started has completed. The hook outlives the
  // scenario (the server logs on after it), and so does what it uses.
  bool posted = false;
  f.out.on_line = [&](std::string_view line) {
    if (posted || !line.starts_with("Connection from ")) return;
    posted = true;
    asio::post(f.io, [&] { f.server.shutdown("test"); });
  };
  f.run([&]() -> awaitable<void> {
    auto client = co_await connect_to(f.endpoint());
    co_await send_bytes(client, greeting);
    client.shutdown(Socket::shutdown_send);
    CHECK((co_await read_to_end(client)).bytes == reply);
  });
  CHECK(logged(f.out, "  message from client: b'Greetings, server'"));
}

TEST_CASE("the grace period ends an exchange that does not finish, and abort() ends it at once") {
  for (const bool force : {false, true}) {
    auto config = loopback_config();
    config.grace = force ? 60s : 100ms;
    ServerFixture f(config);
    f.run([&]() -> awaitable<void> {
      auto busy = co_await connect_to(f.endpoint());
      co_await send_bytes(busy, "Greet");
      f.server.shutdown("test");
      if (force) f.server.abort("test");
      const auto received = co_await read_to_end(busy);
      CHECK(received.bytes.empty());
    });
    // Cut at once, the connection may not have read what the kernel holds.
    const std::string expected = force ? ": server shutting down; message from client: b"
                                       : ": server shutting down; message from client: b'Greet'";
    CHECK_MESSAGE(std::any_of(f.out.lines.begin(), f.out.lines.end(),
                              [&](const std::string& line) {
                                return line.find(expected) != std::string::npos;
                              }),
                  fmt::format("{}", fmt::join(f.out.lines, "\n")));
  }
}

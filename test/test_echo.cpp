// Echo mode in-process over loopback: every byte comes back, and clients take
// turns, so one with more queued than a read takes holds up no other.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

// What `client` reads back, up to `size` bytes, while `io` (the server's
// context, on this thread) runs: bounded in steps, each bounded in time.
std::string echoed_back(asio::io_context& io, Socket& client, std::size_t size) {
  std::string back;
  asio::error_code error;
  for (int steps = 0; back.size() < size && !error && steps < 200'000; ++steps) {
    io.poll();
    char chunk[65536];
    if (client.available() > 0)
      back.append(chunk, client.read_some(asio::buffer(chunk), error));
    else
      io.run_one_for(100ms);
  }
  return back;
}

}  // namespace

TEST_CASE("echo takes turns: a client with more queued than one read holds up no other") {
  // Both clients' bytes are in the server's sockets before it runs a single
  // handler: `greedy` more than one read takes, `light` a few bytes. Served
  // one read per turn, light's echo comes back before greedy's is complete;
  // a server that read on while a socket stayed readable would echo all of
  // greedy's first.
  auto config = loopback_config();
  config.mode = ServerConfig::Mode::echo;
  config.quiet = true;
  asio::io_context io{1};
  CapturedOutput out;
  Server server(io.get_executor(), config, out);
  co_spawn(io, server.run(), [](std::exception_ptr e) { REQUIRE_FALSE(e); });

  asio::io_context clients;
  Socket greedy(clients), light(clients);
  greedy.connect(server.local_endpoints().front());
  light.connect(server.local_endpoints().front());
  const std::string much(2 * ScratchBuffer::size, 'g');
  asio::write(greedy, asio::buffer(much));
  asio::write(light, asio::buffer("light", 5));

  std::size_t steps = 0;
  while (light.available() < 5 && steps < 100'000) steps += io.run_one_for(100ms);
  REQUIRE(light.available() == 5);
  CHECK(greedy.available() < much.size());
  MESSAGE("greedy had " << greedy.available() << " of " << much.size()
                        << " bytes back when light had its 5");

  // And greedy gets all of it in the end.
  greedy.shutdown(Socket::shutdown_send);
  CHECK(echoed_back(io, greedy, much.size()) == much);
  server.abort("end of test");
  io.run_for(10s);
  CHECK(io.stopped());
}

namespace {

// What comes back for `message`, read to its length.
awaitable<std::string> echo_of(Socket& client, const std::string& message) {
  co_await send_bytes(client, message);
  co_return co_await read_exactly(client, message.size());
}

}  // namespace

TEST_CASE("echo answers every small round trip, alone and beside another client") {
  // 200 round trips alone, then 200 with two clients whose bytes are both
  // sent before either reads its echo: not one may be lost.
  auto config = loopback_config();
  config.mode = ServerConfig::Mode::echo;
  config.quiet = true;
  ServerFixture f(config);
  f.run([&]() -> awaitable<void> {
    auto first = co_await connect_to(f.endpoint());
    for (int i = 0; i < 200; ++i) {
      const auto message = fmt::format("alone {}", i);
      CHECK(co_await echo_of(first, message) == message);
    }
    auto second = co_await connect_to(f.endpoint());
    for (int i = 0; i < 200; ++i) {
      // Both in the server's sockets before either is read.
      const auto message = fmt::format("together {}", i);
      co_await send_bytes(first, message);
      co_await send_bytes(second, message + " too");
      CHECK(co_await read_exactly(first, message.size()) == message);
      CHECK(co_await read_exactly(second, message.size() + 4) == message + " too");
    }
    for (auto* client : {&first, &second}) {
      client->shutdown(Socket::shutdown_send);
      const auto rest = co_await read_to_end(*client);
      CHECK(rest.bytes.empty());
      CHECK(rest.end == asio::error::eof);
    }
  });
  CHECK(f.out.errors.empty());
}

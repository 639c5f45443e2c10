// The server in-process: real sockets on loopback, transcripts asserted line
// by line through a CapturedOutput.
#include <doctest/doctest.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

const std::string greeting = "Greetings, server";
const std::string reply = "Goodbye, client!";

bool logged(const CapturedOutput& out, const std::string& line) {
  if (std::find(out.lines.begin(), out.lines.end(), line) != out.lines.end()) return true;
  MESSAGE("transcript:\n" << fmt::format("{}", fmt::join(out.lines, "\n")));
  return false;
}

std::ptrdiff_t position(const CapturedOutput& out, const std::string& line) {
  return std::find(out.lines.begin(), out.lines.end(), line) - out.lines.begin();
}

awaitable<Received> exchange(Endpoint server, std::string_view message) {
  auto socket = co_await connect_to(server);
  co_await send_bytes(socket, message);
  co_return co_await read_to_end(socket);
}

}  // namespace

TEST_CASE("two clients one after another get the seed's transcript, block after block") {
  ServerFixture f;
  std::vector<std::string> expected{
      "Listening at " + python::endpoint_repr(f.endpoint()),
      "Waiting for a new connection",
  };
  f.run([&]() -> awaitable<void> {
    for (int client = 0; client < 2; ++client) {
      auto socket = co_await connect_to(f.endpoint());
      co_await send_bytes(socket, greeting);
      const auto received = co_await read_to_end(socket);
      CHECK(received.bytes == reply);
      CHECK(received.end == asio::error::eof);
      for (auto& line : seed_block(socket, greeting)) expected.push_back(line);
      expected.push_back("Waiting for a new connection");
    }
  });
  expected.push_back("Shutting down (end of test): 0 exchanges in progress, up to 3s to finish");
  CHECK(f.out.lines == expected);
  CHECK(f.out.errors.empty());
}

TEST_CASE("clients are served concurrently: a silent client does not hold up the next") {
  ServerFixture f;
  f.run([&]() -> awaitable<void> {
    auto silent = co_await connect_to(f.endpoint());
    CHECK((co_await exchange(f.endpoint(), greeting)).bytes == reply);
    co_await send_bytes(silent, greeting);
    CHECK((co_await read_to_end(silent)).bytes == reply);
  });
  CHECK(std::count(f.out.lines.begin(), f.out.lines.end(), "  Closing socket") == 2);
}

TEST_CASE("a client that half-closes early gets the reply to what it sent") {
  ServerFixture f;
  f.run([&]() -> awaitable<void> {
    auto socket = co_await connect_to(f.endpoint());
    co_await send_bytes(socket, "Hi");
    socket.shutdown(Socket::shutdown_send);
    CHECK((co_await read_to_end(socket)).bytes == reply);
  });
  CHECK(logged(f.out, "  message from client: b'Hi'"));
}

TEST_CASE("a client that sends more than the message still gets the whole reply, no reset") {
  ServerFixture f;
  f.run([&]() -> awaitable<void> {
    const auto received = co_await exchange(f.endpoint(), greeting + "EXTRA");
    CHECK(received.bytes == reply);
    CHECK(received.end == asio::error::eof);
  });
  CHECK(logged(f.out, "  message from client: b'Greetings, server'"));
  CHECK(std::any_of(f.out.lines.begin(), f.out.lines.end(), [](const std::string& line) {
    return line.starts_with("  Discarded 5 bytes that (");
  }));
}

TEST_CASE("bytes sent after the reply has been read are read and discarded too") {
  ServerFixture f;
  f.run([&]() -> awaitable<void> {
    auto socket = co_await connect_to(f.endpoint());
    co_await send_bytes(socket, greeting);
    CHECK(co_await read_exactly(socket, reply.size()) == reply);
    // By now the server has read the message alone and waits for the end.
    co_await send_bytes(socket, "late");
    socket.shutdown(Socket::shutdown_send);
    const auto rest = co_await read_to_end(socket);
    CHECK(rest.bytes.empty());
    CHECK(rest.end == asio::error::eof);
  });
  CHECK(logged(f.out, "  message from client: b'Greetings, server'"));
  CHECK(std::any_of(f.out.lines.begin(), f.out.lines.end(), [](const std::string& line) {
    return line.starts_with("  Discarded 4 bytes that (");
  }));
}

TEST_CASE("binary messages are logged in Python's repr, never raw") {
  ServerFixture f;
  const std::string binary("\0\"'\\\n\xff\x80 \x7f\x01\tabcdefg", 17);
  f.run([&]() -> awaitable<void> {
    CHECK((co_await exchange(f.endpoint(), binary)).bytes == reply);
  });
  CHECK(logged(f.out, R"(  message from client: b'\x00"\'\\\n\xff\x80 \x7f\x01\tabcdef')"));
}

TEST_CASE("--message-length and --reply are honoured") {
  auto config = loopback_config();
  config.message_length = 3;
  config.reply = std::string("ok\0", 3);
  ServerFixture f(config);
  f.run([&]() -> awaitable<void> {
    CHECK((co_await exchange(f.endpoint(), "abc")).bytes == config.reply);
  });
  CHECK(logged(f.out, "  message from client: b'abc'"));
}

TEST_CASE("the deadline closes a silent client and a half-message client, showing what arrived") {
  auto config = loopback_config();
  config.timeout = 200ms;
  ServerFixture f(config);
  std::string silent_peer, partial_peer;
  f.run([&]() -> awaitable<void> {
    auto silent = co_await connect_to(f.endpoint());
    auto partial = co_await connect_to(f.endpoint());
    co_await send_bytes(partial, "Greet");
    silent_peer = python::endpoint_repr(silent.local_endpoint());
    partial_peer = python::endpoint_repr(partial.local_endpoint());
    const auto silent_end = co_await read_to_end(silent);
    const auto partial_end = co_await read_to_end(partial);
    CHECK(silent_end.bytes.empty());
    CHECK(partial_end.bytes.empty());
    // The connection is still good for the next client.
    CHECK((co_await exchange(f.endpoint(), greeting)).bytes == reply);
  });
  CHECK(logged(f.out, "  Closing socket " + silent_peer +
                          ": timed out after 0.2s; message from client: b''"));
  CHECK(logged(f.out, "  Closing socket " + partial_peer +
                          ": timed out after 0.2s; message from client: b'Greet'"));
}

TEST_CASE("a reset in the middle of the message is logged and the server goes on") {
  ServerFixture f;
  std::string peer;
  f.run([&]() -> awaitable<void> {
    {
      auto socket = co_await connect_to(f.endpoint());
      peer = python::endpoint_repr(socket.local_endpoint());
      co_await send_bytes(socket, "Gre");
      socket.set_option(asio::socket_base::linger(true, 0));
      socket.close();  // sends RST (Asio's destructor would undo the linger option)
    }
    CHECK((co_await exchange(f.endpoint(), greeting)).bytes == reply);
  });
  CHECK(logged(f.out, "  Closing socket " + peer +
                          ": Connection reset by peer; message from client: b'Gre'"));
}

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

TEST_CASE("a client that never reads is bounded by the same deadline while we write") {
  auto config = loopback_config();
  config.timeout = 300ms;
  config.reply = std::string(64 * 1024 * 1024, 'r');  // far more than the socket buffers hold
  ServerFixture f(config);
  std::string peer;
  f.run([&]() -> awaitable<void> {
    auto socket = co_await connect_to(f.endpoint());
    peer = python::endpoint_repr(socket.local_endpoint());
    co_await send_bytes(socket, greeting);
    socket.shutdown(Socket::shutdown_send);
    // Not reading until the server has given up: its line about it ends the
    // wait, which is bounded in case it never comes.
    const std::string gave_up =
        "  Closing socket " + peer + ": could not send the reply: timed out after 0.3s";
    asio::steady_timer given_up(socket.get_executor(), 5s);
    f.out.on_line = [&](std::string_view line) {
      if (line == gave_up) given_up.cancel();
    };
    auto [waited] = co_await given_up.async_wait(nothrow_awaitable);
    f.out.on_line = nullptr;
    CHECK_MESSAGE(waited == asio::error::operation_aborted, "the server did not give up");
    const auto received = co_await read_to_end(socket);
    CHECK(received.bytes.size() < config.reply.size());
    // The next client is served (as much as 0.3s allows it to read).
    CHECK(!(co_await exchange(f.endpoint(), greeting)).bytes.empty());
  });
}

TEST_CASE("a client that closes before reading the reply does not disturb the next") {
  ServerFixture f;
  f.run([&]() -> awaitable<void> {
    {
      auto socket = co_await connect_to(f.endpoint());
      co_await send_bytes(socket, greeting);
      socket.close();
    }
    CHECK((co_await exchange(f.endpoint(), greeting)).bytes == reply);
  });
  CHECK(std::count(f.out.lines.begin(), f.out.lines.end(),
                   "  message from client: b'Greetings, server'") == 2);
}

TEST_CASE("a client that half-closes without sending is answered at once") {
  // Regression: the end of the stream was seen while waiting for the first
  // byte, and the exchange then waited for a read Asio would never complete.
  auto config = loopback_config();
  config.timeout = 60s;
  ServerFixture f(config);
  f.run(
      [&]() -> awaitable<void> {
        auto socket = co_await connect_to(f.endpoint());
        socket.shutdown(Socket::shutdown_send);
        const auto received = co_await read_to_end(socket);
        CHECK(received.bytes == reply);
        CHECK(received.end == asio::error::eof);
      },
      5s);
  CHECK(logged(f.out, "  message from client: b''"));
}

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

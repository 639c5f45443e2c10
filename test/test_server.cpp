// The server in-process: real sockets on loopback, transcripts asserted line
// by line through a CapturedOutput.
#include <doctest/doctest.h>

#include <algorithm>

#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

const std::string greeting = "Greetings, server";
const std::string reply = "Goodbye, client!";

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

// read_some_when_ready() and write_in_place() on sockets
// from accept_connection(): what they return, and that they wait when they
// must, and only then.
#include <doctest/doctest.h>
#include <sys/socket.h>

#include <functional>

#include "handler_slot.hpp"
#include "harness.hpp"
#include "in_place_io.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

// A connected pair: the server's end as accept_connection() returns it, and
// the client's.
struct Pair {
  tcp::socket server;
  tcp::socket client;
};

awaitable<Pair> connected_pair(tcp::acceptor& acceptor) {
  using namespace asio::experimental::awaitable_operators;
  auto [error, server, peer, client] =
      co_await (accept_connection(acceptor) && connect_to(acceptor.local_endpoint()));
  REQUIRE_FALSE(error);
  co_return Pair{std::move(server), std::move(client)};
}

// Lets the other coroutines on the executor run first, `turns` times over.
awaitable<void> yield(int turns) {
  for (int i = 0; i < turns; ++i)
    co_await asio::post(co_await asio::this_coro::executor, use_awaitable);
}

}  // namespace

// The first two cases leave their sockets unwatched for the peer's close:
// read_some_when_ready() then waits only after a read that found nothing.

TEST_CASE("read_some_when_ready returns the bytes already there, at most a buffer's worth") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    auto [server, client] = co_await connected_pair(acceptor);
    co_await send_bytes(client, "Greetings, server");
    co_await server.async_wait(tcp::socket::wait_read, use_awaitable);

    HandlerSlot slot;
    std::string first(9, '\0');
    auto [error, n] = co_await read_some_when_ready(server, asio::buffer(first), slot);
    CHECK_FALSE(error);
    CHECK(first.substr(0, n) == "Greetings");
    std::string rest(64, '\0');
    std::tie(error, n) = co_await read_some_when_ready(server, asio::buffer(rest), slot);
    CHECK_FALSE(error);
    CHECK(rest.substr(0, n) == ", server");
  });
}

TEST_CASE("read_some_when_ready waits for bytes that are not there yet, then for the end") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v6::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    // Named members, not a structured binding: clang 14 cannot capture one
    // in the lambdas below.
    auto pair = co_await connected_pair(acceptor);
    auto& server = pair.server;
    auto& client = pair.client;
    REQUIRE(server.available() == 0);
    bool sent = false;
    co_spawn(
        io,
        [&]() -> awaitable<void> {
          co_await yield(3);  // the read has found nothing and waits by now
          co_await send_bytes(client, "late");
          client.shutdown(tcp::socket::shutdown_send);
        },
        [&](std::exception_ptr failure) { sent = !failure; });
    HandlerSlot slot;
    std::string bytes(64, '\0');
    auto [error, n] = co_await read_some_when_ready(server, asio::buffer(bytes), slot);
    CHECK(sent);
    CHECK_FALSE(error);
    CHECK(bytes.substr(0, n) == "late");

    std::tie(error, n) = co_await read_some_when_ready(server, asio::buffer(bytes), slot);
    CHECK(error == asio::error::eof);
    CHECK(n == 0);
  });
}

TEST_CASE("write_in_place writes everything, waiting while the peer's window is full") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    auto pair = co_await connected_pair(acceptor);  // as above, for clang 14
    auto& server = pair.server;
    auto& client = pair.client;
    // Far more than the kernel buffers between the two sockets hold, so the
    // writer must wait for the reader several times over.
    std::string sent(16 << 20, '\0');
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 7919 % 251);
    auto write_and_close = [&]() -> awaitable<std::tuple<asio::error_code, std::size_t>> {
      auto result = co_await write_in_place(server, asio::buffer(sent));
      server.shutdown(tcp::socket::shutdown_send);
      co_return result;
    };
    using namespace asio::experimental::awaitable_operators;
    auto [error, n, received] = co_await (write_and_close() && read_to_end(client));
    CHECK_FALSE(error);
    CHECK(n == sent.size());
    CHECK(received.end == asio::error::eof);
    CHECK(received.bytes == sent);  // all of it, in order
  });
}

TEST_CASE("write_in_place with MSG_MORE: the reply and then the end reach the peer") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    auto [server, client] = co_await connected_pair(acceptor);
    auto [error, n] =
        co_await write_in_place(server, asio::buffer("Goodbye, client!", 16), MSG_MORE);
    CHECK_FALSE(error);
    CHECK(n == 16);
    server.shutdown(tcp::socket::shutdown_send);
    auto received = co_await read_to_end(client);
    CHECK(received.bytes == "Goodbye, client!");
    CHECK(received.end == asio::error::eof);
  });
}

TEST_CASE("write_in_place reports the error of a connection the peer has reset") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    auto [server, client] = co_await connected_pair(acceptor);
    client.set_option(asio::socket_base::linger(true, 0));
    client.close();  // a reset, not an end
    co_await server.async_wait(tcp::socket::wait_error, nothrow_awaitable);
    std::string bytes(1 << 20, 'x');
    auto [error, n] = co_await write_in_place(server, asio::buffer(bytes));
    CHECK(error);
    CHECK(n < bytes.size());
  });
}

// read_some_when_ready() as the server uses it: watched for the peer's
// close, and waited on once, as welcome() does.
awaitable<Pair> watched_pair(tcp::acceptor& acceptor) {
  auto pair = co_await connected_pair(acceptor);
  watch_for_peer_close(pair.server);
  co_return pair;
}

TEST_CASE("read_some_when_ready reads, then waits for what comes next, then the end") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    auto pair = co_await watched_pair(acceptor);
    auto& server = pair.server;
    auto& client = pair.client;
    HandlerSlot slot;
    std::string bytes(64, '\0');
    co_await send_bytes(client, "one");
    co_await server.async_wait(tcp::socket::wait_read, use_awaitable);
    auto [error, n] = co_await read_some_when_ready(server, asio::buffer(bytes), slot);
    CHECK_FALSE(error);
    CHECK(bytes.substr(0, n) == "one");

    // The socket is empty now: the next read waits for epoll's report.
    co_spawn(
        io,
        [&]() -> awaitable<void> {
          co_await yield(3);
          co_await send_bytes(client, "two");
        },
        asio::detached);
    std::tie(error, n) = co_await read_some_when_ready(server, asio::buffer(bytes), slot);
    CHECK_FALSE(error);
    CHECK(bytes.substr(0, n) == "two");

    client.shutdown(tcp::socket::shutdown_send);
    std::tie(error, n) = co_await read_some_when_ready(server, asio::buffer(bytes), slot);
    CHECK(error == asio::error::eof);
    CHECK(n == 0);
  });
}

// A read that ends short has emptied the socket only if nothing else is
// there: the client sends `first`, and once epoll has reported it, `more`
// sends what a short read can leave behind. Both are reported before anything
// reads, so a read that waited for another report would wait for good. The
// reads must return `first`, then `rest` (the end, if it is empty).
void check_nothing_is_left_behind(const asio::ip::address& address, std::string_view first,
                                  std::function<awaitable<void>(tcp::socket&)> more,
                                  std::string_view rest) {
  asio::io_context io{1};
  auto acceptor = listening_on(io, address);
  run_scenario(io, [&]() -> awaitable<void> {
    auto pair = co_await watched_pair(acceptor);
    co_await send_bytes(pair.client, first);
    co_await pair.server.async_wait(tcp::socket::wait_read, use_awaitable);
    co_await more(pair.client);
    co_await yield(3);  // epoll has reported it all by now, with no read waiting
    HandlerSlot slot;
    std::string bytes(64, '\0');
    auto [error, n] = co_await read_some_when_ready(pair.server, asio::buffer(bytes), slot);
    CHECK_FALSE(error);
    CHECK(bytes.substr(0, n) == first);
    std::tie(error, n) = co_await read_some_when_ready(pair.server, asio::buffer(bytes), slot);
    if (rest.empty()) {
      CHECK(error == asio::error::eof);
    } else {
      CHECK_FALSE(error);
    }
    CHECK(bytes.substr(0, n) == rest);
  });
}

TEST_CASE("read_some_when_ready: the end taken with the last bytes is still read") {
  check_nothing_is_left_behind(
      asio::ip::address_v6::loopback(), "last words",
      [](tcp::socket& client) -> awaitable<void> {
        client.shutdown(tcp::socket::shutdown_send);
        co_return;
      },
      "");
}

TEST_CASE("read_some_when_ready: urgent data stops a read short, and the rest is still read") {
  // The read stops at the urgent byte, which is not inline.
  check_nothing_is_left_behind(
      asio::ip::address_v4::loopback(), "ab",
      [](tcp::socket& client) -> awaitable<void> {
        client.send(asio::buffer("!", 1), MSG_OOB);
        co_await send_bytes(client, "cd");
      },
      "cd");
}

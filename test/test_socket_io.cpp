// read_when_ready(), read_now(), send_now() and send_rest() on sockets from try_accept():
// what they return, and that they wait when they must.
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>

#include <functional>

#include "harness.hpp"
#include "net/socket_io.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

// A connected pair: the server's end as try_accept() returns it, and the
// client's.
struct Pair {
  Socket server;
  Socket client;
};

awaitable<Pair> connected_pair(Acceptor& acceptor) {
  using namespace asio::experimental::awaitable_operators;
  auto [error, server, peer, client] =
      co_await (accept_connection(acceptor) && connect_to(acceptor.local_endpoint()));
  REQUIRE_FALSE(error);
  co_return Pair{std::move(server), std::move(client)};
}

// Runs `scenario` on a fresh connected pair, bounded in time.
void with_pair(std::function<awaitable<void>(Socket& server, Socket& client)> scenario) {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    auto pair = co_await connected_pair(acceptor);
    co_await scenario(pair.server, pair.client);
  });
}

// Whether the peer's close has reached `socket` (poll's POLLRDHUP), without
// reading anything.
bool peer_closed(Socket& socket) {
  pollfd state{socket.native_handle(), POLLRDHUP, 0};
  return ::poll(&state, 1, 0) == 1 && (state.revents & POLLRDHUP) != 0;
}

// send_now(), then send_rest() for what it left, as the server writes.
awaitable<std::tuple<asio::error_code, std::size_t>> write_all(
    Socket& socket, asio::const_buffer bytes, std::vector<char>& kept,
    Socket::message_flags flags = 0) {
  asio::error_code error;
  const std::size_t sent = send_now(socket, bytes, error, flags);
  if (error || sent == bytes.size()) co_return std::tuple(error, sent);
  co_return co_await send_rest(socket, bytes, sent, kept);
}

}  // namespace

TEST_CASE("read_when_ready and read_now read what is there at most a buffer's worth, then waits for more") {
  with_pair([&](Socket& server, Socket& client) -> awaitable<void> {
    co_await send_bytes(client, "0123456789");
    std::string first(4, '\0');
    auto [error, n] = co_await read_when_ready(server, asio::buffer(first));
    CHECK_FALSE(error);
    CHECK(first.substr(0, n) == "0123");
    // read_now() takes what is left at once, then finds nothing.
    std::string rest(16, '\0');
    n = read_now(server, asio::buffer(rest), error);
    CHECK_FALSE(error);
    CHECK(rest.substr(0, n) == "456789");
    n = read_now(server, asio::buffer(rest), error);
    CHECK(error == asio::error::would_block);
    CHECK(n == 0);

    // Nothing there: read_when_ready() waits until the client speaks.
    asio::post(server.get_executor(), [&] { asio::write(client, asio::buffer("late", 4)); });
    std::tie(error, n) = co_await read_when_ready(server, asio::buffer(rest));
    CHECK(rest.substr(0, n) == "late");
    client.shutdown(Socket::shutdown_send);
    std::tie(error, n) = co_await read_when_ready(server, asio::buffer(rest));
    CHECK(error == asio::error::eof);
    CHECK(n == 0);
  });
}

TEST_CASE("read_when_ready: the end that came with the last bytes is still read, not waited for") {
  with_pair([&](Socket& server, Socket& client) -> awaitable<void> {
    co_await send_bytes(client, "last");
    client.shutdown(Socket::shutdown_send);
    // The case this is about: bytes and end both there before the first read.
    REQUIRE(peer_closed(server));
    std::string bytes(16, '\0');
    auto [error, n] = co_await read_when_ready(server, asio::buffer(bytes));
    CHECK(bytes.substr(0, n) == "last");
    // After a read that took everything, the next one waits, and the end is
    // reported (a wait re-arms the socket), rather than stalling.
    std::tie(error, n) = co_await read_when_ready(server, asio::buffer(bytes));
    CHECK(error == asio::error::eof);
  });
}

TEST_CASE("send_now, then send_rest, write everything, waiting while the peer's window is full") {
  with_pair([&](Socket& server, Socket& client) -> awaitable<void> {
    // Far more than the socket buffers hold, so the kernel takes only part.
    std::string sent(8 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 7 + i / 4096);
    std::string original = sent;
    std::vector<char> kept;
    using namespace asio::experimental::awaitable_operators;
    auto [error, written, received] =
        co_await ([&]() -> awaitable<std::tuple<asio::error_code, std::size_t>> {
          auto outcome = co_await write_all(server, asio::buffer(sent), kept);
          server.shutdown(Socket::shutdown_send);
          co_return outcome;
        }() && [&]() -> awaitable<Received> {
          // While the writer waits for room, what it has not written yet is
          // its own copy: the caller's bytes may change (another connection
          // reusing the thread's scratch buffer, say).
          CHECK_FALSE(kept.empty());
          std::fill(sent.begin(), sent.end(), 'x');
          co_return co_await read_to_end(client);
        }());
    CHECK_FALSE(error);
    CHECK(written == original.size());
    CHECK(received.bytes == original);
    CHECK(kept.capacity() == 0);  // nothing kept once it is out
  });
}

TEST_CASE("send_now with MSG_MORE: the reply and then the end reach the peer") {
  with_pair([&](Socket& server, Socket& client) -> awaitable<void> {
    std::vector<char> kept;
    auto [error, n] =
        co_await write_all(server, asio::buffer("Goodbye, client!", 16), kept, MSG_MORE);
    CHECK_FALSE(error);
    CHECK(n == 16);
    server.shutdown(Socket::shutdown_send);
    const auto received = co_await read_to_end(client);
    CHECK(received.bytes == "Goodbye, client!");
    CHECK(received.end == asio::error::eof);
  });
}

TEST_CASE("send_now and send_rest report the error of a connection the peer has reset") {
  with_pair([&](Socket& server, Socket& client) -> awaitable<void> {
    client.set_option(asio::socket_base::linger(true, 0));
    client.close();  // a reset
    std::string bytes(1024 * 1024, 'r');
    std::vector<char> kept;
    asio::error_code error;
    for (int attempt = 0; attempt < 3 && !error; ++attempt) {
      std::tie(error, std::ignore) = co_await write_all(server, asio::buffer(bytes), kept);
    }
    CHECK((error == asio::error::connection_reset || error == asio::error::broken_pipe));
  });
}

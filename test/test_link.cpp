// The I/O layer's operations on a Link (transport/link.hpp), each mechanism
// on its own, over a real loopback connection: a read that would block
// waits; what arrived with the end is read before it; a write keeps a copy
// of what the kernel did not take, and frees it once out; a read that finds
// bytes at once, and writes once a turn's worth is spent, let the others
// run; a cut connection reports why.
#include <doctest/doctest.h>
#include <malloc.h>
#include <poll.h>
#include <sys/socket.h>

#include <functional>
#include <string>
#include <vector>

#include "harness.hpp"
#include "transport/link.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

// Runs `scenario` on a fresh connection: the server's end as a Link, as
// try_accept() returns it, and the client's plain socket; bounded in time.
void with_link(std::function<awaitable<void>(Link& server, Socket& client)> scenario) {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    using namespace asio::experimental::awaitable_operators;
    auto [error, server, peer, client] =
        co_await (accept_connection(acceptor) && connect_to(acceptor.local_endpoint()));
    REQUIRE_FALSE(error);
    Link link(std::move(server));
    co_await scenario(link, client);
  });
}

// Whether the peer's close has reached `socket` (poll's POLLRDHUP), without
// reading anything.
bool peer_closed(Socket& socket) {
  pollfd state{socket.native_handle(), POLLRDHUP, 0};
  return ::poll(&state, 1, 0) == 1 && (state.revents & POLLRDHUP) != 0;
}

std::string text(asio::const_buffer bytes, std::size_t n) {
  return {static_cast<const char*>(bytes.data()), n};
}

}  // namespace

TEST_CASE("read_some reads what is there, a buffer's worth at most, and waits when nothing is") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    co_await send_bytes(client, "0123456789");
    std::string bytes(4, '\0');
    auto [error, n] = co_await read_some(server, asio::buffer(bytes));
    CHECK_FALSE(error);
    CHECK(bytes.substr(0, n) == "0123");
    bytes.resize(16);
    std::tie(error, n) = co_await read_some(server, asio::buffer(bytes));
    CHECK(bytes.substr(0, n) == "456789");

    // Nothing there: the read waits until the client speaks.
    bool spoken = false;
    asio::post(client.get_executor(), [&] {
      spoken = true;
      asio::write(client, asio::buffer("late", 4));
    });
    std::tie(error, n) = co_await read_some(server, asio::buffer(bytes));
    CHECK(spoken);
    CHECK(bytes.substr(0, n) == "late");
    client.shutdown(Socket::shutdown_send);
    std::tie(error, n) = co_await read_some(server, asio::buffer(bytes));
    CHECK(error == asio::error::eof);
    CHECK(n == 0);
  });
}

TEST_CASE("read_some: the end that came with the last bytes is read after them, not waited for") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    co_await send_bytes(client, "first");
    std::string bytes(64 * 1024, '\0');
    auto [error, n] = co_await read_some(server, asio::buffer(bytes));
    CHECK(text(asio::buffer(bytes), n) == "first");
    // Now bytes and end both arrive before the next read, which reads them
    // with the wait (into the inbox).
    co_await send_bytes(client, "last");
    client.shutdown(Socket::shutdown_send);
    REQUIRE(peer_closed(server.socket));
    std::tie(error, n) = co_await read_some(server, asio::buffer(bytes));
    CHECK(text(asio::buffer(bytes), n) == "last");
    std::tie(error, n) = co_await read_some(server, asio::buffer(bytes));
    CHECK(error == asio::error::eof);
  });
}

TEST_CASE("read_exactly and read_up_to fill what they are asked for across reads, or say why not") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    // More than the inbox takes in one wait, in two pieces.
    const std::string message(3 * Inbox::largest, 'm');
    co_await send_bytes(client, std::string_view(message).substr(0, 100));
    asio::post(client.get_executor(), [&] {
      asio::write(client, asio::buffer(message.data() + 100, message.size() - 100));
    });
    std::string whole(message.size(), '\0');
    auto [error, n] = co_await read_exactly(server, asio::buffer(whole));
    CHECK_FALSE(error);
    CHECK(whole == message);

    co_await send_bytes(client, "up to here");
    std::string limited;
    CHECK_FALSE(std::get<0>(co_await read_up_to(server, limited, 5)));
    CHECK(limited == "up to");
    client.shutdown(Socket::shutdown_send);
    std::string rest;
    CHECK(std::get<0>(co_await read_up_to(server, rest, 1024)) == asio::error::eof);
    CHECK(rest == " here");
  });
}

TEST_CASE("the inbox a wait reads into starts small and doubles while waits fill it") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    char buffer[512];
    // The message, sent once `server` waits for it, as read_some returns it.
    const auto receive = [&](std::string message) -> awaitable<std::string> {
      asio::post(client.get_executor(),
                 [&client, message] { asio::write(client, asio::buffer(message)); });
      std::string got;
      while (got.size() < message.size()) {
        auto [error, n] = co_await read_some(server, asio::buffer(buffer));
        CHECK_FALSE(error);
        got.append(buffer, n);
      }
      co_return got;
    };
    // Before the first bytes, the wait leaves them in the kernel.
    CHECK(co_await receive("Greetings, server") == "Greetings, server");
    CHECK(server.inbox.capacity() == 0);
    CHECK(co_await receive("Greetings again") == "Greetings again");
    CHECK(server.inbox.capacity() == Inbox::smallest);
    const std::string message(128, 'm');
    std::vector<std::size_t> capacities;
    for (int i = 0; i < 5; ++i) {
      CHECK(co_await receive(message) == message);
      capacities.push_back(server.inbox.capacity());
    }
    // From the smallest, doubled by each wait it filled, until a whole
    // message fits.
    static_assert(Inbox::smallest == 24);
    CHECK(capacities == std::vector<std::size_t>{24, 48, 96, 192, 192});
  });
}

TEST_CASE(
    "write_all writes everything while the peer's window is full, from a copy it then frees") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    // Far more than the socket buffers hold, so the kernel takes only part.
    std::string sent(8 * 1024 * 1024, '\0');
    for (std::size_t i = 0; i < sent.size(); ++i) sent[i] = static_cast<char>(i * 7 + i / 4096);
    const std::string original = sent;
    std::string received(sent.size(), '\0');
    const auto in_use = [] {
      const auto info = mallinfo2();
      return info.uordblks + info.hblkhd;  // a large block is mapped on its own
    };
    const std::size_t before = in_use();
    std::size_t while_waiting = 0;
    using namespace asio::experimental::awaitable_operators;
    auto [error, written, read] =
        co_await (write_all(server, asio::buffer(sent)) && [&]() -> awaitable<std::size_t> {
          // The writer waits for room now: what it has not written is its
          // own copy, so the caller's bytes may change (another connection
          // reusing the thread's scratch buffer, say).
          while_waiting = in_use();
          std::fill(sent.begin(), sent.end(), 'x');
          co_return co_await asio::async_read(client, asio::buffer(received), use_awaitable);
        }());
    CHECK_FALSE(error);
    CHECK(written == original.size());
    CHECK(read == original.size());
    CHECK(received == original);
    // The copy is gone once it is out. (A sanitizer's allocator reports
    // nothing here.)
    if (before > 0) {
      CHECK(while_waiting > before + 1024 * 1024);
      CHECK(in_use() < before + 1024 * 1024);
    }
  });
}

TEST_CASE("write_all with MSG_MORE: the reply and then the end reach the peer") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    auto [error, n] = co_await write_all(server, asio::buffer("Goodbye, client!", 16), MSG_MORE);
    CHECK_FALSE(error);
    CHECK(n == 16);
    shutdown_send(server);
    const auto received = co_await read_to_end(client);
    CHECK(received.bytes == "Goodbye, client!");
    CHECK(received.end == asio::error::eof);
  });
}

TEST_CASE("write_all reports the error of a connection the peer has reset") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    client.set_option(asio::socket_base::linger(true, 0));
    client.close();  // a reset
    std::string bytes(1024 * 1024, 'r');
    asio::error_code error;
    for (int attempt = 0; attempt < 3 && !error; ++attempt) {
      std::tie(error, std::ignore) = co_await write_all(server, asio::buffer(bytes));
    }
    CHECK((error == asio::error::connection_reset || error == asio::error::broken_pipe));
  });
}

TEST_CASE("a read that finds bytes at once lets the others that are ready run first") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    const std::string sent(64 * 1024, 's');
    asio::write(client, asio::buffer(sent));
    constexpr std::size_t chunk = 4096;
    std::string bytes(chunk, '\0');
    std::size_t read = 0;
    auto [error, n] = co_await read_some(server, asio::buffer(bytes));
    read += n;
    // Somebody else ready on the same thread, while more is waiting to be
    // read: it runs before the next read takes anything.
    std::optional<std::size_t> read_when_others_ran;
    asio::post(client.get_executor(), [&] { read_when_others_ran = read; });
    std::tie(error, n) = co_await read_some(server, asio::buffer(bytes));
    read += n;
    CHECK(n == chunk);
    REQUIRE(read_when_others_ran.has_value());
    CHECK(*read_when_others_ran == chunk);
  });
}

TEST_CASE("writes that keep finding room yield to the others once a turn's worth is written") {
  with_link([&](Link& server, Socket& client) -> awaitable<void> {
    // Room for everything this test writes, so that no write has to wait.
    client.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024));
    server.socket.set_option(asio::socket_base::send_buffer_size(4 * 1024 * 1024));
    constexpr std::size_t chunk = 1024;
    const std::string bytes(chunk, 'w');
    std::size_t written = 0;
    std::optional<std::size_t> written_when_others_ran;
    asio::post(client.get_executor(), [&] { written_when_others_ran = written; });
    while (written < 2 * TurnBudget::per_turn) {
      auto [error, n] = co_await write_all(server, asio::buffer(bytes));
      REQUIRE_FALSE(error);
      written += n;
    }
    REQUIRE(written_when_others_ran.has_value());
    // Not before the first write, not after all of them: after one turn.
    CHECK(*written_when_others_ran >= TurnBudget::per_turn);
    CHECK(*written_when_others_ran < TurnBudget::per_turn + chunk);
  });
}

TEST_CASE("an operation pending when the connection is cut fails with the reason for the cut") {
  with_link([&](Link& server, Socket&) -> awaitable<void> {
    const auto reason = make_error_code(asio::error::timed_out);
    asio::post(server.socket.get_executor(), [&] {
      server.cut = reason;
      close(server);
    });
    std::string bytes(16, '\0');
    auto [error, n] = co_await read_some(server, asio::buffer(bytes));
    CHECK(error == reason);
    CHECK(n == 0);
  });
}

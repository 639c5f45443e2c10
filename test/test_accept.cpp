// try_accept(): sockets from accept4(), handed to Asio with what it need not
// check again (through the harness's accept_connection(), which waits as the
// server's accept loop does).
#include <doctest/doctest.h>
#include <fcntl.h>

#include "harness.hpp"
#include "listen/accept.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

TEST_CASE("accept_connection hands over a working non-blocking socket and the client's address") {
  for (const auto* host : {"127.0.0.1", "::1"}) {
    CAPTURE(host);
    asio::io_context io{1};
    auto acceptor = listening_on(io, asio::ip::make_address(host));
    run_scenario(io, [&]() -> awaitable<void> {
      // The accept starts first, finds nothing queued, and waits.
      using namespace asio::experimental::awaitable_operators;
      auto [error, socket, peer, client] =
          co_await (accept_connection(acceptor) && connect_to(acceptor.local_endpoint()));
      REQUIRE_FALSE(error);
      CHECK(peer == client.local_endpoint());
      CHECK(socket.remote_endpoint() == client.local_endpoint());
      // Non-blocking in the kernel (Asio is not told: read_now() and
      // send_now() ask for it per call).
      CHECK((::fcntl(socket.native_handle(), F_GETFL) & O_NONBLOCK) != 0);
      CHECK((::fcntl(socket.native_handle(), F_GETFD) & FD_CLOEXEC) != 0);

      co_await send_bytes(client, "ping");
      CHECK(co_await read_exactly(socket, 4) == "ping");
      socket.close();  // the client sees the end
      CHECK((co_await read_to_end(client)).end == asio::error::eof);
    });
  }
}

TEST_CASE("accept_connection takes connections already queued, one per call") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    auto first = co_await connect_to(acceptor.local_endpoint());
    auto second = co_await connect_to(acceptor.local_endpoint());
    auto [error1, socket1, peer1] = co_await accept_connection(acceptor);
    auto [error2, socket2, peer2] = co_await accept_connection(acceptor);
    CHECK_FALSE(error1);
    CHECK_FALSE(error2);
    CHECK(peer1 == first.local_endpoint());
    CHECK(peer2 == second.local_endpoint());
  });
}

TEST_CASE("try_accept with nobody queued fails with would_block, at once") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  auto [error, socket, peer] = try_accept(acceptor);
  CHECK(error == asio::error::would_block);
  CHECK_FALSE(socket.is_open());
}

TEST_CASE("closing the acceptor ends a waiting accept_connection with operation_aborted") {
  asio::io_context io{1};
  auto acceptor = listening_on(io, asio::ip::address_v4::loopback());
  run_scenario(io, [&]() -> awaitable<void> {
    asio::post(io, [&] { acceptor.close(); });  // runs once the accept waits
    auto [error, socket, peer] = co_await accept_connection(acceptor);
    CHECK(error == asio::error::operation_aborted);
    CHECK_FALSE(socket.is_open());
  });
}

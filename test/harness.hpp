// In-process test harness: a real Server on loopback, the test's own client
// coroutines beside it on the same io_context, and a bound on how long any of
// it may take. Nothing sleeps; every wait is on a socket event.
#pragma once

#include <doctest/doctest.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <string>

#include "asio_compat.hpp"
#include "listen/accept.hpp"
#include "net/endpoints.hpp"
#include "output/output.hpp"
#include "output/python_format.hpp"
#include "server/server.hpp"

namespace tcpecho::testing {

using namespace std::chrono_literals;

// The completion handler for coroutines a test spawns: a failure inside one
// is thrown out of the io_context's run(), so it fails the test (or, on a
// thread of its own, stops the test binary) instead of vanishing.
inline void rethrow(std::exception_ptr failure) {
  if (failure) std::rethrow_exception(failure);
}

inline ServerConfig loopback_config() {
  ServerConfig config;
  config.port = 0;
  return config;
}

class ServerFixture {
 public:
  explicit ServerFixture(ServerConfig config = loopback_config())
      : server(io.get_executor(), std::move(config), out) {}

  Endpoint endpoint() const { return server.local_endpoints().front(); }
  std::uint16_t port() const { return ip_endpoint(endpoint()).port(); }

  // Runs `scenario` beside the server, then drains the server; fails the test
  // if the scenario throws or everything has not finished within `limit`.
  void run(std::function<awaitable<void>()> scenario, std::chrono::seconds limit = 10s) {
    std::exception_ptr failure;
    co_spawn(io, server.run(), [&](std::exception_ptr e) {
      if (e) failure = e;
    });
    co_spawn(
        io,
        [&]() -> awaitable<void> {
          co_await scenario();
          server.shutdown("end of test");
        },
        [&](std::exception_ptr e) {
          if (e) {
            failure = e;
            server.abort("test failure");
          }
        });
    io.run_for(limit);
    REQUIRE_MESSAGE(io.stopped(), "the test did not finish within its time limit");
    if (failure) std::rethrow_exception(failure);
  }

  asio::io_context io{1};
  CapturedOutput out;
  Server server;
};

// Runs `scenario`, with nothing else on `io`, to its end within a bound.
inline void run_scenario(asio::io_context& io, std::function<awaitable<void>()> scenario) {
  std::exception_ptr failure;
  bool finished = false;
  co_spawn(io, scenario(), [&](std::exception_ptr e) {
    failure = e;
    finished = true;
  });
  io.run_for(10s);
  REQUIRE_MESSAGE(finished, "the test did not finish within its time limit");
  if (failure) std::rethrow_exception(failure);
}

// Waits for a connection and accepts it, as the server's accept loop does.
inline awaitable<std::tuple<asio::error_code, Socket, Endpoint>> accept_connection(
    Acceptor& acceptor) {
  for (;;) {
    auto accepted = try_accept(acceptor);
    auto& error = std::get<0>(accepted);
    if (error != asio::error::would_block) co_return accepted;
    std::tie(error) = co_await acceptor.async_wait(Acceptor::wait_read, nothrow_awaitable);
    if (error) co_return accepted;
  }
}

// 127.0.0.1, any free port.
inline Endpoint loopback_any_port() { return tcp::endpoint(asio::ip::address_v4::loopback(), 0); }

// A listening socket ready for try_accept(), on an ephemeral port.
inline Acceptor listening_on(asio::io_context& io, const asio::ip::address& address) {
  Acceptor acceptor(io, Endpoint(tcp::endpoint(address, 0)));
  asio::error_code error;
  prepare_to_accept(acceptor, error);
  REQUIRE_FALSE(error);
  return acceptor;
}

inline awaitable<Socket> connect_to(Endpoint endpoint) {
  Socket socket(co_await asio::this_coro::executor);
  co_await socket.async_connect(endpoint, use_awaitable);
  co_return socket;
}

inline awaitable<void> send_bytes(Socket& socket, std::string_view bytes) {
  co_await asio::async_write(socket, asio::buffer(bytes), use_awaitable);
}

// The next `size` bytes the peer sends.
inline awaitable<std::string> read_exactly(Socket& socket, std::size_t size) {
  std::string bytes(size, '\0');
  co_await asio::async_read(socket, asio::buffer(bytes), use_awaitable);
  co_return bytes;
}

// Everything the peer sends until it closes, and how the stream ended.
struct Received {
  std::string bytes;
  asio::error_code end;
};

inline awaitable<Received> read_to_end(Socket& socket) {
  Received received;
  auto [error, n] =
      co_await asio::async_read(socket, asio::dynamic_buffer(received.bytes), nothrow_awaitable);
  received.end = error;
  co_return received;
}

// Whether `out` holds `line`; if not, the transcript goes into the test's report.
inline bool logged(const CapturedOutput& out, const std::string& line) {
  if (std::find(out.lines.begin(), out.lines.end(), line) != out.lines.end()) return true;
  MESSAGE("transcript:\n" << fmt::format("{}", fmt::join(out.lines, "\n")));
  return false;
}

// Where `line` first is in `out`, or the number of lines if it is not there.
inline std::ptrdiff_t position(const CapturedOutput& out, const std::string& line) {
  return std::find(out.lines.begin(), out.lines.end(), line) - out.lines.begin();
}

// The seed's server transcript for one client.
inline std::vector<std::string> seed_block(const Socket& client, std::string_view message) {
  const auto peer = python::endpoint_repr(client.local_endpoint());
  return {
      "Connection from " + peer,
      "  Socket name: " + python::endpoint_repr(client.remote_endpoint()),
      "  Socket peer: " + peer,
      "  message from client: " + python::bytes_repr(message),
      "  Closing socket",
  };
}

}  // namespace tcpecho::testing

// `send` in-process: against the real server, and against peers that refuse,
// reset or never answer.
#include <doctest/doctest.h>

#include "client.hpp"
#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

ClientConfig client_for(tcp::endpoint server) {
  ClientConfig config;
  config.host = server.address().to_string();
  config.port = server.port();
  return config;
}

// Runs send_message alone on an io_context, bounded in time.
ExitStatus run_client(const ClientConfig& config, CapturedOutput& out) {
  asio::io_context io(1);
  std::optional<ExitStatus> status;
  co_spawn(io, send_message(config, out), [&](std::exception_ptr e, ExitStatus s) {
    if (!e) status = s;
  });
  io.run_for(10s);
  REQUIRE(status.has_value());
  return *status;
}

}  // namespace

TEST_CASE("send prints the seed's client transcript") {
  ServerFixture f;
  CapturedOutput client_out;
  std::optional<ExitStatus> status;
  f.run([&]() -> awaitable<void> {
    status = co_await send_message(client_for(f.endpoint()), client_out);
  });
  CHECK(status == ExitStatus::ok);
  REQUIRE(client_out.lines.size() == 2);
  CHECK(client_out.lines[0].starts_with("Client has been assigned the socket:  ('127.0.0.1', "));
  CHECK(client_out.lines[1] == "Server:  b'Goodbye, client!'");
  // The port the client printed is the one the server saw.
  const auto tuple = client_out.lines[0].substr(client_out.lines[0].find('('));
  CHECK(f.out.lines.at(2) == "Connection from " + tuple);
  CHECK(client_out.errors.empty());
}

TEST_CASE("send over IPv6 prints four-element tuples") {
  auto config = loopback_config();
  config.host = "::1";
  ServerFixture f(config);
  CapturedOutput client_out;
  f.run([&]() -> awaitable<void> {
    CHECK(co_await send_message(client_for(f.endpoint()), client_out) == ExitStatus::ok);
  });
  REQUIRE(client_out.lines.size() == 2);
  CHECK(client_out.lines[0].starts_with("Client has been assigned the socket:  ('::1', "));
  CHECK(client_out.lines[0].ends_with(", 0, 0)"));
  CHECK(f.out.lines.at(0) == fmt::format("Listening at ('::1', {}, 0, 0)", f.endpoint().port()));
}

TEST_CASE("a refused connection is one line naming host, port and reason") {
  asio::io_context io;
  tcp::acceptor closed_port(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  auto config = client_for(closed_port.local_endpoint());
  closed_port.close();  // nothing listens there now
  CapturedOutput out;
  CHECK(run_client(config, out) == ExitStatus::connect_failed);
  CHECK(out.lines.empty());
  CHECK(out.errors ==
        std::vector<std::string>{fmt::format(
            "tcpecho: cannot connect to 127.0.0.1 port {}: Connection refused", config.port)});
}

TEST_CASE("an unknown host name is one line and its own exit status") {
  ClientConfig config;
  config.host = "no-such-host.invalid";
  CapturedOutput out;
  CHECK(run_client(config, out) == ExitStatus::resolve_failed);
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].starts_with("tcpecho: cannot resolve no-such-host.invalid port 3000: "));
}

TEST_CASE("a server that never answers is given up on after the timeout") {
  asio::io_context io;
  // Listening but never accepting: the kernel completes the handshake, and
  // then nothing ever comes back.
  tcp::acceptor mute(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  auto config = client_for(mute.local_endpoint());
  config.timeout = 200ms;
  CapturedOutput out;
  CHECK(run_client(config, out) == ExitStatus::exchange_failed);
  CHECK(out.errors == std::vector<std::string>{fmt::format(
                          "tcpecho: timed out after 0.2s waiting for the reply from 127.0.0.1 "
                          "port {}",
                          config.port)});
}

TEST_CASE("a reset instead of a reply is one line and the exchange-failed status") {
  asio::io_context io;
  tcp::acceptor rude(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  auto config = client_for(rude.local_endpoint());
  CapturedOutput out;
  std::optional<ExitStatus> status;
  co_spawn(io, send_message(config, out), [&](std::exception_ptr, ExitStatus s) { status = s; });
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto peer = co_await rude.async_accept(use_awaitable);
        std::string message(17, '\0');
        co_await asio::async_read(peer, asio::buffer(message), use_awaitable);
        peer.set_option(asio::socket_base::linger(true, 0));
        peer.close();
      },
      asio::detached);
  io.run_for(10s);
  CHECK(status == ExitStatus::exchange_failed);
  CHECK(out.errors == std::vector<std::string>{fmt::format(
                          "tcpecho: exchange failed with 127.0.0.1 port {}: Connection reset by "
                          "peer",
                          config.port)});
}

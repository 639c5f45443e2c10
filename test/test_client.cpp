// `send` in-process: against the real server, and against peers that refuse,
// reset or never answer.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <memory>

#include "client/client.hpp"
#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

ClientConfig client_for(const Endpoint& generic) {
  const auto server = ip_endpoint(generic);
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
  CHECK(f.out.lines.at(0) == fmt::format("Listening at ('::1', {}, 0, 0)", f.port()));
}

TEST_CASE("a refused connection is one line naming host, port and reason") {
  asio::io_context io;
  Acceptor closed_port(io, loopback_any_port());
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
  Acceptor mute(io, loopback_any_port());
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
  Acceptor rude(io, loopback_any_port());
  auto config = client_for(rude.local_endpoint());
  CapturedOutput out;
  std::optional<ExitStatus> status;
  co_spawn(io, send_message(config, out), [&](std::exception_ptr, ExitStatus s) { status = s; });
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto peer = co_await rude.async_accept(use_awaitable);
        co_await read_exactly(peer, 17);  // the whole message, then the reset
        peer.set_option(asio::socket_base::linger(true, 0));
        peer.close();
      },
      rethrow);
  io.run_for(10s);
  CHECK(status == ExitStatus::exchange_failed);
  CHECK(out.errors == std::vector<std::string>{fmt::format(
                          "tcpecho: exchange failed with 127.0.0.1 port {}: Connection reset by "
                          "peer",
                          config.port)});
}

namespace {

// send against a peer that reads the whole message, answers `answer` and
// closes; returns send's status.
ExitStatus send_to_a_peer_answering(std::string answer, ClientConfig config, CapturedOutput& out) {
  asio::io_context io;
  Acceptor peer_side(io, loopback_any_port());
  config.host = "127.0.0.1";
  config.port = ip_endpoint(peer_side.local_endpoint()).port();
  std::optional<ExitStatus> status;
  co_spawn(io, send_message(config, out), [&](std::exception_ptr e, ExitStatus s) {
    if (!e) status = s;
  });
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto peer = co_await peer_side.async_accept(use_awaitable);
        co_await read_to_end(peer);  // send half-closes after its message
        co_await send_bytes(peer, answer);
      },
      [](std::exception_ptr e) { REQUIRE_FALSE(e); });
  io.run_for(10s);
  REQUIRE(status.has_value());
  return *status;
}

}  // namespace

TEST_CASE("no reply at all is an exchange failure, not an empty success") {
  CapturedOutput out;
  CHECK(send_to_a_peer_answering("", ClientConfig{}, out) == ExitStatus::exchange_failed);
  REQUIRE(out.lines.size() == 1);  // the assigned socket; no "Server:" line
  CHECK(out.lines[0].starts_with("Client has been assigned the socket:  "));
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].starts_with("tcpecho: 127.0.0.1 port "));
  CHECK(out.errors[0].ends_with(" closed the connection without a reply"));
}

TEST_CASE("after the seed's greeting, a reply that stops short of the seed's reply fails") {
  CapturedOutput out;
  CHECK(send_to_a_peer_answering("Goodbye", ClientConfig{}, out) == ExitStatus::exchange_failed);
  REQUIRE(out.errors.size() == 1);
  CHECK(out.errors[0].ends_with(
      " closed the connection after b'Goodbye' of the 16 bytes of b'Goodbye, client!'"));

  SUBCASE("but not another message's reply, nor one that differs") {
    CapturedOutput other;
    ClientConfig config;
    config.message = "hello";
    CHECK(send_to_a_peer_answering("Goodbye", config, other) == ExitStatus::ok);
    CHECK(other.lines.back() == "Server:  b'Goodbye'");
    CapturedOutput differing;
    CHECK(send_to_a_peer_answering("Good day", ClientConfig{}, differing) == ExitStatus::ok);
    CHECK(differing.errors.empty());
  }
  SUBCASE("with --expect, only the comparison decides") {
    ClientConfig config;
    config.expect = "Goodbye";
    CapturedOutput expected;
    CHECK(send_to_a_peer_answering("Goodbye", config, expected) == ExitStatus::ok);
    config.expect = "Goodbye, client!";
    CapturedOutput differing;
    CHECK(send_to_a_peer_answering("", config, differing) == ExitStatus::unexpected_reply);
  }
}

TEST_CASE("the timeout bounds name lookup too: a lookup that never answers is abandoned") {
  // Released only once send has given up on it: until then it blocks, as
  // getaddrinfo() does on a DNS server that does not answer.
  auto release = std::make_shared<std::promise<void>>();
  auto released = release->get_future().share();
  auto returned = std::make_shared<std::atomic<bool>>(false);
  NameLookup stuck = [released, returned](const std::string&, const std::string&,
                                          asio::error_code& error) {
    released.wait();
    *returned = true;
    error = asio::error::host_not_found;
    return tcp::resolver::results_type();
  };
  ClientConfig config;
  config.host = "slow.example";
  config.port = 9;
  config.timeout = 200ms;
  CapturedOutput out;
  asio::io_context io(1);
  std::optional<ExitStatus> status;
  co_spawn(io, send_message(config, out, stuck), [&](std::exception_ptr e, ExitStatus s) {
    if (!e) status = s;
  });
  io.run_for(10s);
  CHECK(io.stopped());
  CHECK_FALSE(*returned);  // send finished while the lookup was still blocked
  CHECK(status == ExitStatus::resolve_failed);
  CHECK(out.errors ==
        std::vector<std::string>{"tcpecho: timed out after 0.2s resolving slow.example port 9"});
  release->set_value();
}

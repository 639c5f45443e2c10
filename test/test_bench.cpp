// The load generator's verdict on servers that corrupt a byte, drop a byte,
// reset or never read, and how its runs begin and end.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "bench/bench.hpp"
#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

// corrupt_50th: every connection's 50th chunk; mute: reads nothing at all.
enum class Fault { none, corrupt_byte, drop_byte, reset, corrupt_50th, mute };

// An echo server that misbehaves on each connection's first chunk (or as
// its Fault says), on a thread of its own; it counts the bytes it echoed.
class FaultyEchoServer {
 public:
  explicit FaultyEchoServer(Fault fault) : fault_(fault), acceptor_(io_, loopback_any_port()) {
    co_spawn(io_, accept(), rethrow);
    thread_ = std::jthread([this] { io_.run(); });
  }
  ~FaultyEchoServer() {
    asio::post(io_, [this] { io_.stop(); });
  }
  std::uint16_t port() const { return ip_endpoint(acceptor_.local_endpoint()).port(); }
  std::atomic<std::uint64_t> echoed{0};

 private:
  awaitable<void> accept() {
    for (;;) {
      auto [error, socket] = co_await acceptor_.async_accept(nothrow_awaitable);
      if (error) co_return;
      co_spawn(io_, echo(std::move(socket)), rethrow);
    }
  }
  awaitable<void> echo(Socket socket) {
    std::array<char, 4096> buffer;
    if (fault_ == Fault::mute) {
      co_await socket.async_wait(Socket::wait_error, nothrow_awaitable);
      co_return;
    }
    for (int chunk = 1;; ++chunk) {
      auto [error, n] = co_await socket.async_read_some(asio::buffer(buffer), nothrow_awaitable);
      if (error) co_return;
      const bool first = chunk == 1;
      if (first && fault_ == Fault::reset) {
        socket.set_option(asio::socket_base::linger(true, 0));
        socket.close();
        co_return;
      }
      if ((first && fault_ == Fault::corrupt_byte) ||
          (chunk == 50 && fault_ == Fault::corrupt_50th))
        buffer[n / 2] ^= 0x20;
      if (first && fault_ == Fault::drop_byte) --n;
      co_await asio::async_write(socket, asio::buffer(buffer.data(), n), nothrow_awaitable);
      echoed += n;
    }
  }

  Fault fault_;
  asio::io_context io_;
  Acceptor acceptor_;
  std::jthread thread_;
};

BenchConfig short_run(std::uint16_t port, BenchConfig::Mode mode) {
  BenchConfig config;
  config.mode = mode;
  config.targets = {{"127.0.0.1", port, ""}};
  config.connections = 4;
  config.duration = 300ms;
  config.warmup = 0ms;
  config.timeout = 5s;  // no operation of a sanitizer build's takes that long
  config.size = mode == BenchConfig::Mode::stream ? 16 * 1024 : 128;
  return config;
}

std::uint64_t errors_of(const BenchResult& result, BenchError kind) {
  return result.errors[static_cast<std::size_t>(kind)];
}

}  // namespace

namespace {

std::string first_error_of(const BenchResult& result, BenchError kind) {
  return result.first_error[static_cast<std::size_t>(kind)];
}

// Each failed connection is replaced, and fails again: at least one error
// of the kind per connection slot.
void check_faulty_servers(BenchConfig::Mode mode, CapturedOutput& out) {
  {
    FaultyEchoServer server(Fault::corrupt_byte);
    const auto result = run_bench(short_run(server.port(), mode), out);
    CHECK(errors_of(result, BenchError::mismatch) >= 4);
    // Where the echo first differed, and how.
    CHECK(first_error_of(result, BenchError::mismatch).starts_with("at byte "));
    CHECK(report_bench(short_run(server.port(), mode), result, out) == ExitStatus::exchange_failed);
  }
  {
    // One byte short: rr waits for it in vain, stream sees the bytes after
    // it shifted by one.
    FaultyEchoServer server(Fault::drop_byte);
    auto config = short_run(server.port(), mode);
    config.timeout = 200ms;
    const auto result = run_bench(config, out);
    CHECK(errors_of(result, mode == BenchConfig::Mode::rr ? BenchError::timeout
                                                          : BenchError::mismatch) >= 4);
  }
  {
    FaultyEchoServer server(Fault::reset);
    const auto result = run_bench(short_run(server.port(), mode), out);
    CHECK(errors_of(result, BenchError::reset) >= 4);
    CHECK(first_error_of(result, BenchError::reset) == "Connection reset by peer");
  }
}

}  // namespace

TEST_CASE("bench passes a correct echo server and fails each faulty one, by kind") {
  CapturedOutput out;
  for (auto mode : {BenchConfig::Mode::rr, BenchConfig::Mode::stream}) {
    CAPTURE(static_cast<int>(mode));
    FaultyEchoServer server(Fault::none);
    const auto result = run_bench(short_run(server.port(), mode), out);
    CHECK(result.error_total() == 0);
    CHECK(result.operations > 0);
    CHECK(report_bench(short_run(server.port(), mode), result, out) == ExitStatus::ok);
    check_faulty_servers(mode, out);
  }
}

TEST_CASE("a connection that fails is replaced, and the run lasts its whole window") {
  // Every connection's 50th request comes back wrong: 49 good round trips,
  // a mismatch, a new connection.
  FaultyEchoServer server(Fault::corrupt_50th);
  CapturedOutput out;
  auto config = short_run(server.port(), BenchConfig::Mode::rr);
  config.connections = 2;
  const auto result = run_bench(config, out);
  CHECK(errors_of(result, BenchError::mismatch) >= 2);
  CHECK(result.operations > 2 * 49);  // more than the first connections could make
  CHECK(result.seconds == doctest::Approx(0.3));
}

TEST_CASE("a run whose connections all end early measures only until they did") {
  asio::io_context io;
  Acceptor closed(io, loopback_any_port());
  const auto port = ip_endpoint(closed.local_endpoint()).port();
  closed.close();
  auto config = short_run(port, BenchConfig::Mode::rr);
  config.duration = 60s;
  CapturedOutput out;
  const auto result = run_bench(config, out);  // nobody to connect to: it ends at once
  CHECK(result.seconds < 60.0);
  CHECK(first_error_of(result, BenchError::connect_failed) == "Connection refused");
}

// Runs bench on a thread; fails the test if it has not ended within `bound`.
BenchResult bench_within(const BenchConfig& config, std::chrono::seconds bound) {
  CapturedOutput out;
  std::packaged_task<BenchResult()> task([&] { return run_bench(config, out); });
  auto result = task.get_future();
  std::jthread thread(std::move(task));
  REQUIRE_MESSAGE(result.wait_for(bound) == std::future_status::ready, "bench ran on past its -d");
  return result.get();
}

TEST_CASE("an open-loop rate ends with the run, and counts what it sent") {
  FaultyEchoServer server(Fault::none);
  auto config = short_run(server.port(), BenchConfig::Mode::rr);
  config.rate = 0.1;  // each connection's next request due 40 s on
  CHECK(bench_within(config, 10s).operations <= config.connections);

  // A schedule far ahead of what the server can do ends at -d too: the
  // server answered no more than bench counted, and one in flight each.
  config.rate = 1e9;
  const auto result = bench_within(config, 10s);
  CHECK(server.echoed / config.size <= result.operations + 2 * config.connections);
}

TEST_CASE("flood stops at -d though the server never reads") {
  FaultyEchoServer server(Fault::mute);
  auto config = short_run(server.port(), BenchConfig::Mode::flood);
  config.size = 64 * 1024;
  const auto result = bench_within(config, 10s);
  CHECK(result.error_total() == 0);
}

TEST_CASE("bench exchange and idle check the reply against --expect") {
  ServerConfig server_config = loopback_config();
  CapturedOutput server_out, bench_out;
  asio::io_context io(1);
  Server server(io.get_executor(), server_config, server_out);
  co_spawn(io, server.run(), rethrow);
  std::jthread thread([&] { io.run_for(20s); });
  const auto port = ip_endpoint(server.local_endpoints().front()).port();

  for (auto mode : {BenchConfig::Mode::exchange, BenchConfig::Mode::idle}) {
    auto config = short_run(port, mode);
    auto result = run_bench(config, bench_out);
    CHECK(result.error_total() == 0);
    CHECK(result.operations > 0);
    config.expect = "Goodbye, server!";
    result = run_bench(config, bench_out);
    CHECK(errors_of(result, BenchError::mismatch) > 0);
    config.expect = "Goodbye, client!!";
    result = run_bench(config, bench_out);
    CHECK(errors_of(result, BenchError::short_reply) > 0);
  }
  asio::post(io, [&] { server.shutdown("end of test"); });
}

TEST_CASE("bench counts refused connections as connect failures") {
  asio::io_context io;
  Acceptor closed(io, loopback_any_port());
  const auto port = ip_endpoint(closed.local_endpoint()).port();
  closed.close();
  CapturedOutput out;
  const auto result = run_bench(short_run(port, BenchConfig::Mode::rr), out);
  CHECK(errors_of(result, BenchError::connect_failed) == 4);
  CHECK(result.operations == 0);
}

TEST_CASE("a failure inside bench itself is one line and exit status 1, not a server's error") {
  BenchConfig config;
  config.targets = {{"127.0.0.1", 3000, ""}};
  BenchResult result;
  result.seconds = 1;
  result.errors[static_cast<std::size_t>(BenchError::other)] = 1;
  result.internal_failure = "std::bad_alloc";
  CapturedOutput out;
  CHECK(report_bench(config, result, out) == ExitStatus::internal_error);
  CHECK(out.errors == std::vector<std::string>{"tcpecho: internal error in bench: std::bad_alloc"});
}

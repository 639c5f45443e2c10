// `serve --threads`: a ServerGroup of several Servers, each on its own thread
// and io_context, sharing one port. Runs clean under ThreadSanitizer in CI.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <thread>

#include "harness.hpp"
#include "server/server_group.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

namespace {

// run() on a thread of its own; the exit status once it returns, within a bound.
class RunningGroup {
 public:
  explicit RunningGroup(ServerGroup& group)
      : status_(std::async(std::launch::async, [&group] { return group.run(); })) {}
  int status() {
    REQUIRE_MESSAGE(status_.wait_for(30s) == std::future_status::ready,
                    "the server group did not stop within 30 s");
    return status_.get();
  }

 private:
  std::future<int> status_;
};

}  // namespace

TEST_CASE("four server threads on one port answer 400 clients at once, then drain") {
  constexpr int client_count = 400;
  CapturedOutput out;
  auto config = loopback_config();
  config.threads = 4;
  ServerGroup group(config, out);
  const auto endpoint = group.local_endpoints().front();
  RunningGroup running(group);

  // The clients run on a thread of their own.
  asio::io_context clients(1);
  std::atomic<int> answered = 0;
  for (int i = 0; i < client_count; ++i) {
    co_spawn(
        clients,
        [&]() -> awaitable<void> {
          auto socket = co_await connect_to(endpoint);
          co_await send_bytes(socket, "Greetings, server");
          if ((co_await read_to_end(socket)).bytes == "Goodbye, client!") ++answered;
        },
        [](std::exception_ptr e) { CHECK_FALSE(e); });
  }
  clients.run_for(20s);
  CHECK(answered == client_count);

  group.shutdown("test");
  CHECK(running.status() == 0);
  CHECK(std::count(out.lines.begin(), out.lines.end(), "  Closing socket") == client_count);
  CHECK(std::count_if(out.lines.begin(), out.lines.end(), [](const std::string& line) {
          return line.starts_with("Listening at ");
        }) == 1);
  // One shutdown line for the whole group.
  CHECK(std::count(out.lines.begin(), out.lines.end(),
                   "Shutting down (test): 0 exchanges in progress, up to 3s to finish") == 1);
  CHECK(out.errors.empty());
}

TEST_CASE("an exception on one server thread is one line, stops every thread, and exits 1") {
  CapturedOutput out;
  auto config = loopback_config();
  config.threads = 3;
  ServerGroup group(config, out);
  RunningGroup running(group);
  asio::post(group.executor(1), [] { throw std::runtime_error("a handler failed"); });
  CHECK(running.status() == static_cast<int>(ExitStatus::internal_error));
  CHECK(out.errors ==
        std::vector<std::string>{"tcpecho: internal error on server thread 2: a handler failed"});
  CHECK(std::count(out.lines.begin(), out.lines.end(),
                   "Shutting down (internal error): 0 exchanges in progress, up to 3s to finish") ==
        1);
}

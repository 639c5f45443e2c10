// `serve --threads`: several Servers, each on its own thread and io_context,
// sharing one port. Runs clean under ThreadSanitizer in CI.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "harness.hpp"

using namespace tcpecho;
using namespace tcpecho::testing;

TEST_CASE("four server threads on one port answer 400 clients at once, then drain") {
  constexpr std::size_t thread_count = 4;
  constexpr int client_count = 400;
  CapturedOutput out;
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<Server>> servers;
  auto config = loopback_config();
  config.threads = thread_count;
  for (std::size_t i = 0; i < thread_count; ++i) {
    auto& io = *contexts.emplace_back(std::make_unique<asio::io_context>(1));
    servers.push_back(i == 0 ? std::make_unique<Server>(io.get_executor(), config, out)
                             : std::make_unique<Server>(io.get_executor(), *servers.front()));
  }
  const auto endpoint = servers.front()->local_endpoints().front();
  for (auto& server : servers) CHECK(server->local_endpoints().front() == endpoint);

  std::vector<std::jthread> threads;
  for (std::size_t i = 0; i < thread_count; ++i) {
    co_spawn(*contexts[i], servers[i]->run(), asio::detached);
    threads.emplace_back([&io = *contexts[i]] { io.run_for(30s); });
  }

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
        asio::detached);
  }
  clients.run_for(20s);
  CHECK(answered == client_count);

  for (auto& server : servers) {
    asio::post(server->executor(), [s = server.get()] { s->shutdown("test"); });
  }
  threads.clear();  // joins: every io_context ran out of work
  for (auto& io : contexts) CHECK(io->stopped());

  CHECK(std::count(out.lines.begin(), out.lines.end(), "  Closing socket") == client_count);
  CHECK(std::count_if(out.lines.begin(), out.lines.end(), [](const std::string& line) {
          return line.starts_with("Listening at ");
        }) == 1);
  CHECK(out.errors.empty());
}

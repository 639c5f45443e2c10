// tcpecho's entry point: parse the command line, run the component it names
// on one io_context, turn the outcome into an exit status.
#include <algorithm>
#include <atomic>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include "bench.hpp"
#include "cli.hpp"
#include "client.hpp"
#include "failure.hpp"
#include "server.hpp"
#include "shutdown.hpp"

namespace tcpecho {
namespace {

// One io_context and one Server per thread: a connection lives and dies on
// the thread that accepted it, so connections need no locks.
int serve(const ServerConfig& config, Output& out) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<Server>> servers;
  for (std::size_t i = 0; i < config.threads; ++i) {
    // With several threads, signals and the last server to finish post
    // across them; alone, everything happens on the one thread.
    auto& io = *contexts.emplace_back(
        std::make_unique<asio::io_context>(config.threads == 1 ? one_thread_only : one_thread_io));
    servers.push_back(i == 0 ? std::make_unique<Server>(io.get_executor(), config, out)
                             : std::make_unique<Server>(io.get_executor(), *servers.front()));
  }
  std::vector<Server*> all;
  for (auto& server : servers) all.push_back(server.get());
  const auto main_executor = contexts.front()->get_executor();
  StopOnSignals signals(main_executor, all);

  std::atomic<std::size_t> running = servers.size();
  for (std::size_t i = 0; i < servers.size(); ++i) {
    co_spawn(
        *contexts[i],
        [&, server = servers[i].get()]() -> awaitable<void> {
          co_await server->run();
          if (--running == 0) asio::post(main_executor, [&signals] { signals.cancel(); });
        },
        asio::detached);
  }
  {
    std::vector<std::jthread> threads;
    for (std::size_t i = 1; i < contexts.size(); ++i) {
      threads.emplace_back([&io = *contexts[i]] { io.run(); });
    }
    contexts.front()->run();
  }

  if (auto signal = signals.forced_by_signal()) return signal_exit_status(*signal);
  const bool healthy = std::all_of(servers.begin(), servers.end(),
                                   [](const auto& server) { return server->healthy(); });
  return static_cast<int>(healthy ? ExitStatus::ok : ExitStatus::internal_error);
}

int send(const ClientConfig& config, Output& out) {
  asio::io_context io(1);
  auto status = ExitStatus::internal_error;
  co_spawn(io, send_message(config, out), [&](std::exception_ptr failure, ExitStatus result) {
    if (failure) {
      out.print_error("tcpecho: internal error: {}", failure_text(failure));
    } else {
      status = result;
    }
  });
  io.run();
  return static_cast<int>(status);
}

int bench(const BenchConfig& config, Output& out) {
  return static_cast<int>(report_bench(config, run_bench(config, out), out));
}

int run(int argc, char** argv) {
  ConsoleOutput out;
  auto parsed = parse_command_line(argc, argv);
  if (const auto* status = std::get_if<ExitStatus>(&parsed)) return static_cast<int>(*status);

  const auto& command = std::get<Command>(parsed);
  try {
    if (const auto* server = std::get_if<ServerConfig>(&command)) return serve(*server, out);
    if (const auto* load = std::get_if<BenchConfig>(&command)) return bench(*load, out);
    return send(std::get<ClientConfig>(command), out);
  } catch (const StartupError& error) {
    out.print_error("tcpecho: {}", error.what());
    return static_cast<int>(error.status);
  } catch (const std::exception& error) {
    out.print_error("tcpecho: internal error: {}", error.what());
    return static_cast<int>(ExitStatus::internal_error);
  }
}

}  // namespace
}  // namespace tcpecho

int main(int argc, char** argv) { return tcpecho::run(argc, argv); }

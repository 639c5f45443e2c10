// tcpecho's entry point: parse the command line, run the component it names
// on one io_context, turn the outcome into an exit status.
#include <exception>

#include "cli.hpp"
#include "client.hpp"
#include "server.hpp"
#include "shutdown.hpp"

namespace tcpecho {
namespace {

int serve(const ServerConfig& config, Output& out) {
  asio::io_context io(1);
  Server server(io.get_executor(), config, out);
  StopOnSignals signals(io.get_executor(), server);
  co_spawn(
      io,
      [&]() -> awaitable<void> {
        co_await server.run();
        signals.cancel();
      },
      asio::detached);
  io.run();

  if (auto signal = signals.forced_by_signal()) return signal_exit_status(*signal);
  return static_cast<int>(server.healthy() ? ExitStatus::ok : ExitStatus::internal_error);
}

int send(const ClientConfig& config, Output& out) {
  asio::io_context io(1);
  auto status = ExitStatus::internal_error;
  co_spawn(io, send_message(config, out), [&](std::exception_ptr failure, ExitStatus result) {
    if (!failure) status = result;
  });
  io.run();
  return static_cast<int>(status);
}

int run(int argc, char** argv) {
  ConsoleOutput out;
  auto parsed = parse_command_line(argc, argv);
  if (const auto* status = std::get_if<ExitStatus>(&parsed)) return static_cast<int>(*status);

  const auto& command = std::get<Command>(parsed);
  try {
    if (const auto* server = std::get_if<ServerConfig>(&command)) return serve(*server, out);
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

// tcpecho's entry point: parse the command line, run the component it names,
// turn the outcome into an exit status.
#include <exception>

#include "bench/bench.hpp"
#include "bench/bench_merge.hpp"
#include "cli/cli.hpp"
#include "client/client.hpp"
#include "server/server_group.hpp"

namespace tcpecho {
namespace {

int serve(const ServerConfig& config, Output& out) { return ServerGroup(config, out).run(); }

// A failure that escapes the exchange (a --tls-ca that is no CA file, a bug)
// is rethrown, so that run() reports it as it reports any other.
int send(const ClientConfig& config, Output& out) {
  asio::io_context io(1);
  auto status = ExitStatus::internal_error;
  std::exception_ptr escaped;
  co_spawn(io, send_message(config, out), [&](std::exception_ptr failure, ExitStatus result) {
    escaped = failure;
    status = result;
  });
  io.run();
  if (escaped) std::rethrow_exception(escaped);
  return static_cast<int>(status);
}

// A run cut short by a signal reports what it measured, and exits as a
// process that signal ended.
int bench(const BenchConfig& config, Output& out) {
  const auto result = run_bench(config, out);
  const auto status = report_bench(config, result, out);
  if (result.stopped_by_signal != 0) return signal_exit_status(result.stopped_by_signal);
  return static_cast<int>(status);
}

// --log-format json: from here on, every line is a JSON object, errors
// at start included.
void choose_log_format(const Command& command, ConsoleOutput& out) {
  const auto format = std::visit([](const auto& config) { return config.log_format; }, command);
  if (format == LogFormat::json) out.use_json_lines();
}

int run_command(int argc, char** argv, ConsoleOutput& out) {
  auto parsed = parse_command_line(argc, argv, out);
  if (const auto* status = std::get_if<ExitStatus>(&parsed)) return static_cast<int>(*status);

  const auto& command = std::get<Command>(parsed);
  choose_log_format(command, out);
  try {
    if (const auto* server = std::get_if<ServerConfig>(&command)) return serve(*server, out);
    if (const auto* load = std::get_if<BenchConfig>(&command)) return bench(*load, out);
    if (const auto* merge = std::get_if<MergeConfig>(&command)) {
      return static_cast<int>(merge_runs(*merge, out));
    }
    return send(std::get<ClientConfig>(command), out);
  } catch (const StartupError& error) {
    out.print_error("tcpecho: {}", error.what());
    return static_cast<int>(error.status);
  } catch (const std::exception& error) {
    out.print_error("tcpecho: internal error: {}", error.what());
    return static_cast<int>(ExitStatus::internal_error);
  }
}

// A command that succeeded but whose output could not be written has failed,
// or was cut off by its reader.
int run(int argc, char** argv) {
  ConsoleOutput out;
  const int status = run_command(argc, argv, out);
  const int output_status = out.finish();
  return status == 0 ? output_status : status;
}

}  // namespace
}  // namespace tcpecho

int main(int argc, char** argv) { return tcpecho::run(argc, argv); }

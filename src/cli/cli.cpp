// parse_command_line(): the program's --help, --version and usage errors,
// its three subcommands (subcommands.hpp), and the config of the one to run.
#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include <fmt/format.h>

#include "cli/subcommands.hpp"
#include "listen/socket_activation.hpp"

namespace tcpecho {
namespace {

constexpr const char* exit_status_help = R"(
Environment: TCPECHO_HOST, TCPECHO_PORT and TCPECHO_TIMEOUT stand in for
--host, --port and --timeout when those are not given.

Output: stdout and stderr go through a bounded buffer, so a reader that stops
reading never stalls the server; lines it misses are dropped and counted in a
line written where they are missing.

Exit status:
  0  success
  1  internal error
  2  bad command line
  3  host name could not be resolved
  4  could not connect (refused, unreachable, timed out, TLS certificate refused)
  5  exchange failed (reset, short or missing reply, timed out)
  6  could not listen (address in use, permission denied)
  7  send --expect: the reply differed
  8  standard output could not be written (full disk, closed pipe)
  128+N  server stopped by a second signal N; bench cut short by signal N)";

// An environment variable that stands in for an option must be valid too.
// (CLI11 from 2.4 on skips one that fails the option's checks, where older
// releases report it: tell the user either way.)
void check_environment(const CLI::App& command) {
  for (const CLI::Option* option : command.get_options()) {
    const std::string& name = option->get_envname();
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value != nullptr && *value != '\0' && option->count() == 0) {
      throw CLI::ValidationError(
          fmt::format("{}: '{}' is not a valid {}", name, value, option->get_name()));
    }
  }
}

// --version (of the program and of each subcommand), the footer of --help, and how a mistake is reported: one line,
// and where to look.
void describe_program(CLI::App& app) {
  app.set_version_flag("--version", "tcpecho " TCPECHO_VERSION);
  for (CLI::App* subcommand : app.get_subcommands([](const CLI::App*) { return true; })) {
    subcommand->set_version_flag("--version", "tcpecho " TCPECHO_VERSION);
  }
  app.footer(exit_status_help);
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tcpecho: {}\nRun 'tcpecho --help' for usage.\n", error.what());
  });
}

// CLI11 prints to streams: what it printed goes to `out`, a line at a time,
// so that a failure to write it is seen like any other.
ExitStatus report(const CLI::App& app, const CLI::ParseError& error, Output& out) {
  std::ostringstream printed, failed;
  const int status = app.exit(error, printed, failed);
  const auto without_last_newline = [](const std::string& text) {
    return std::string_view(text).substr(0, text.size() - (text.ends_with('\n') ? 1 : 0));
  };
  if (const auto text = printed.str(); !text.empty()) out.line(without_last_newline(text));
  if (const auto text = failed.str(); !text.empty()) out.error(without_last_newline(text));
  return status == 0 ? ExitStatus::ok : ExitStatus::usage;
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv, Output& out) {
  CLI::App app(
      "tcpecho: a TCP server, client and load tool for the classic echo-server exchange (the "
      "client sends 'Greetings, server', the server prints it and answers 'Goodbye, client!'), "
      "and an RFC 862 echo server.",
      "tcpecho");
  ServerConfig server;
  TlsRequest<TlsServerOptions> server_tls;
  EndpointRequest server_endpoint;
  const CLI::App* serve = add_serve(app, server, server_tls, server_endpoint);
  ClientConfig client;
  TlsRequest<TlsClientOptions> client_tls;
  EndpointRequest client_endpoint;
  add_send(app, client, client_tls, client_endpoint);
  BenchConfig bench;
  TlsRequest<TlsClientOptions> bench_tls;
  EndpointRequest bench_endpoint;
  const CLI::App* load = add_bench(app, bench, bench_tls, bench_endpoint);
  describe_program(app);

  try {
    app.parse(argc, argv);
    // Checked here rather than by require_subcommand(), which would report a
    // mistyped subcommand as a missing one.
    if (app.get_subcommands().empty())
      throw CLI::RequiredError("A subcommand (serve, send or bench)");
    check_environment(*app.get_subcommands().front());
    if (load->parsed()) {
      bench_endpoint.settle(bench);
      settle_bench(*load, bench);
    } else if (serve->parsed()) {
      server_endpoint.settle(server);
      settle_serve(*serve, server);
    } else {
      client_endpoint.settle(client);
    }
  } catch (const CLI::ParseError& error) {
    return report(app, error, out);
  }
  if (load->parsed()) {
    bench.tls = bench_tls.requested();
    return Command{bench};
  }
  if (serve->parsed()) {
    server.inherited_sockets = sockets_from_service_manager();
    server.tls = server_tls.requested();
    return Command{server};
  }
  client.tls = client_tls.requested();
  return Command{client};
}

}  // namespace tcpecho

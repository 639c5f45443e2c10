// parse_command_line(): the program's --help, --version and usage errors,
// its three subcommands (subcommands.hpp), and the config of the one to run.
#include "cli/cli.hpp"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>

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
  8  standard output could not be written (full disk)
  128+N  server stopped by a second signal N; bench cut short by signal N;
         141 (SIGPIPE): the reader of standard output went away)";

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

// --version (of the program and of each subcommand), the footer of --help, and how a mistake is
// reported: one line, and where to look.
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

// A subcommand's config as its options fill it in, and what they collect on
// the way.
template <typename Config, typename TlsOptions>
struct Filled {
  Config config;
  TlsRequest<TlsOptions> tls;
  EndpointRequest endpoint;
  const CLI::App* app = nullptr;
};

using ServeLine = Filled<ServerConfig, TlsServerOptions>;
using SendLine = Filled<ClientConfig, TlsClientOptions>;
using BenchLine = Filled<BenchConfig, TlsClientOptions>;

// The config of the subcommand given, with what only the whole command line
// can tell.
Command chosen(ServeLine& serve, SendLine& send, BenchLine& bench,
               const std::pair<MergeConfig, const CLI::App*>& merge) {
  if (merge.second->parsed()) return merge.first;
  if (bench.app->parsed()) {
    bench.endpoint.settle(bench.config);
    settle_bench(*bench.app, bench.endpoint, bench.config);
    bench.config.tls = bench.tls.requested();
    return bench.config;
  }
  if (serve.app->parsed()) {
    serve.endpoint.settle(serve.config);
    serve.config.tls = serve.tls.requested();
    serve.config.inherited_sockets = sockets_from_service_manager();
    settle_serve(*serve.app, serve.endpoint, serve.tls.options, serve.config);
    return serve.config;
  }
  send.endpoint.settle(send.config);
  send.config.tls = send.tls.requested();
  return send.config;
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv, Output& out) {
  CLI::App app(
      "tcpecho: a TCP server, client and load tool for the classic echo-server exchange (the "
      "client sends 'Greetings, server', the server prints it and answers 'Goodbye, client!'), "
      "and an RFC 862 echo server.",
      "tcpecho");
  ServeLine serve;
  serve.app = add_serve(app, serve.config, serve.tls, serve.endpoint);
  SendLine send;
  send.app = add_send(app, send.config, send.tls, send.endpoint);
  BenchLine bench;
  bench.app = add_bench(app, bench.config, bench.tls, bench.endpoint);
  std::pair<MergeConfig, const CLI::App*> merge;
  merge.second = add_bench_merge(*app.get_subcommand("bench"), merge.first);
  describe_program(app);

  try {
    app.parse(argc, argv);
    // Checked here rather than by require_subcommand(), which would report a
    // mistyped subcommand as a missing one.
    if (app.get_subcommands().empty())
      throw CLI::RequiredError("A subcommand (serve, send or bench)");
    check_environment(*app.get_subcommands().front());
    return chosen(serve, send, bench, merge);
  } catch (const CLI::ParseError& error) {
    return report(app, error, out);
  }
}

}  // namespace tcpecho

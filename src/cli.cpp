#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <cmath>
#include <iostream>

namespace tcpecho {
namespace {

constexpr const char* exit_status_help = R"(
Exit status:
  0  success
  1  internal error
  2  bad command line
  3  host name could not be resolved
  4  could not connect (refused, unreachable, timed out)
  5  exchange failed (reset, short or missing reply, timed out)
  6  could not listen (address in use, permission denied)
  128+N  server stopped by a second signal N)";

const CLI::Validator not_empty(
    [](std::string& value) { return value.empty() ? std::string("must not be empty") : ""; }, "");

// Seconds on the command line, fractions allowed, kept as milliseconds.
CLI::Option* add_seconds_option(CLI::App& app, const std::string& name,
                                std::chrono::milliseconds& target, const std::string& help) {
  return app
      .add_option_function<double>(
          name,
          [&target](double seconds) {
            target = std::chrono::milliseconds(std::llround(seconds * 1000.0));
          },
          help)
      ->type_name("SECONDS")
      ->check(CLI::Range(0.0, 86400.0).description(""))
      ->default_str(fmt::format("{:g}", static_cast<double>(target.count()) / 1000.0));
}

void add_endpoint_options(CLI::App& app, std::string& host, std::uint16_t& port,
                          const std::string& host_help, const std::string& port_help) {
  app.add_option("--host", host, host_help)
      ->type_name("HOST")
      ->check(not_empty)
      ->capture_default_str();
  app.add_option("-p,--port", port, port_help)
      ->type_name("PORT")
      ->check(CLI::Range(0, 65535).description(""))
      ->capture_default_str();
}

void describe_serve(CLI::App& serve, ServerConfig& config) {
  add_endpoint_options(
      serve, config.host, config.port,
      "Address or name to listen on; a name with several addresses listens on each",
      "Port to listen on; 0 picks a free one (the 'Listening at' line shows it)");
  add_seconds_option(serve, "--timeout", config.timeout,
                     "A connection that has not completed its exchange this long after it was "
                     "accepted is closed; 0 means never");
  serve
      .add_option("--max-connections", config.max_connections,
                  "Connections served at once; further clients wait in the kernel's listen "
                  "backlog until one finishes, and none is dropped")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}).description(""))
      ->capture_default_str();
  add_seconds_option(serve, "--grace", config.grace,
                     "On the first SIGINT/SIGTERM, exchanges in flight get this long to finish; "
                     "a second signal stops at once");
}

void describe_send(CLI::App& send, ClientConfig& config) {
  add_endpoint_options(send, config.host, config.port,
                       "Server name or IPv4/IPv6 address; each address it resolves to is tried",
                       "Server port");
  add_seconds_option(send, "--timeout", config.timeout,
                     "Give up if the whole exchange, connecting included, takes longer; 0 means "
                     "never");
}

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  CLI::App app(
      "tcpecho: a TCP server, client and load tool that speaks the classic echo-server "
      "exchange: the client sends 'Greetings, server', the server prints it and answers "
      "'Goodbye, client!'.",
      "tcpecho");
  app.set_version_flag("--version", "tcpecho " TCPECHO_VERSION);
  app.footer(exit_status_help);
  app.failure_message([](const CLI::App*, const CLI::Error& error) {
    return fmt::format("tcpecho: {}\nRun 'tcpecho --help' for usage.\n", error.what());
  });

  ServerConfig server;
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Listen, print each client's message and the seed's transcript, answer with the "
      "reply. Runs until SIGINT/SIGTERM.");
  describe_serve(*serve, server);

  ClientConfig client;
  CLI::App* send =
      app.add_subcommand("send", "Connect, send the greeting, print the server's reply, and exit.");
  describe_send(*send, client);

  try {
    app.parse(argc, argv);
    // Checked here rather than by require_subcommand(), which would report a
    // mistyped subcommand as a missing one.
    if (app.get_subcommands().empty()) throw CLI::RequiredError("A subcommand (serve or send)");
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    return status == 0 ? ExitStatus::ok : ExitStatus::usage;
  }
  if (serve->parsed()) return Command{server};
  return Command{client};
}

}  // namespace tcpecho

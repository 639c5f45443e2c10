// The three subcommands and their options, described with the kinds of
// option in cli_options.hpp and cli_tls.hpp; parse_command_line() turns argv
// into the config of the one to run.
#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli_options.hpp"
#include "cli_tls.hpp"
#include "pattern.hpp"
#include "socket_activation.hpp"

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
  4  could not connect (refused, unreachable, timed out)
  5  exchange failed (reset, short or missing reply, timed out)
  6  could not listen (address in use, permission denied)
  7  send --expect: the reply differed
  128+N  server stopped by a second signal N)";

void describe_serve(CLI::App& serve, ServerConfig& config, TlsRequest<TlsServerOptions>& tls) {
  add_endpoint_options(
      serve, config.host, config.port, config.timeout,
      "Address or name to listen on. A name with several addresses listens on each; '::' "
      "takes IPv4 and IPv6 clients on one socket",
      "Port to listen on; 0 picks a free one (the 'Listening at' line shows it)",
      "Close a connection that has not finished this long after it was accepted (reply mode) "
      "or that has made no progress for this long (echo mode); 0 means never");
  add_choice_option(serve, "--mode", config.mode,
                    {{"reply", ServerConfig::Mode::reply}, {"echo", ServerConfig::Mode::echo}},
                    "reply: the seed's exchange; echo: RFC 862 echo");
  add_unix_option(serve, config.unix_path,
                  "Listen on this Unix domain socket: a stale socket file is replaced, one where "
                  "a server listens is refused (exit 6), and the file is removed at exit");
  serve
      .add_option_function<std::string>(
          "--unix-mode",
          [&config](const std::string& text) {
            std::size_t end = 0;
            unsigned long mode = 0;
            try {
              mode = std::stoul(text, &end, 8);
            } catch (const std::exception&) {
              end = 0;
            }
            if (end != text.size() || mode > 0777)
              throw CLI::ValidationError("--unix-mode", "'" + text + "' is not an octal mode");
            config.unix_mode = static_cast<mode_t>(mode);
          },
          "With --unix: the socket file's permissions, in octal (660: owner and group may "
          "connect); default: as the umask leaves them")
      ->type_name("MODE")
      ->needs("--unix");
  add_bytes_option(serve, "--reply", config.reply, "Reply mode: what to answer each message with");
  serve
      .add_option("--length", config.message_length,
                  "Reply mode: bytes to read as the message before replying (fewer if the "
                  "client half-closes first); a limit, not an allocation")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{16 * 1024 * 1024}).description(""))
      ->capture_default_str();
  serve
      .add_option("--max-connections", config.max_connections,
                  "Connections served at once, in all addresses and --threads together; further "
                  "clients wait in the kernel's listen backlog until one finishes, and none is "
                  "dropped")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}).description(""))
      ->capture_default_str();
  add_seconds_option(serve, "--grace", config.grace,
                     "On the first SIGINT/SIGTERM, exchanges in flight get this long to finish; "
                     "a second signal stops at once");
  add_threads_option(serve, config.threads,
                     "Threads to serve on, each with its own listening socket on the same port "
                     "(SO_REUSEPORT) and its own connections; a port another process listens on "
                     "is refused all the same");
  auto* quiet = serve.add_flag("-q,--quiet", config.quiet,
                               "No per-connection lines: only start, errors and shutdown");
  serve
      .add_flag("-v,--verbose", config.verbose,
                "Echo mode: also a line for every chunk echoed; TLS: a line with each "
                "connection's protocol, cipher, key exchange and client certificate")
      ->excludes(quiet);
  add_tls_server_options(serve, tls);
}

void describe_send(CLI::App& send, ClientConfig& config, TlsRequest<TlsClientOptions>& tls) {
  add_endpoint_options(send, config.host, config.port, config.timeout,
                       "Server name or IPv4/IPv6 address; each address it resolves to is tried",
                       "Port the server listens on",
                       "Give up on an exchange, name lookup and connecting included, after this "
                       "long; 0 means never");
  add_unix_option(send, config.unix_path, "Connect to this Unix domain socket");
  auto* message = add_bytes_option(send, "--message", config.message, "What to send");
  send.add_option_function<std::string>(
          "--message-file",
          [&config](const std::string& path) {
            std::ifstream file;
            if (path != "-") file.open(path, std::ios::binary);
            std::istream& in = path == "-" ? std::cin : file;
            if (!in) throw CLI::ValidationError("--message-file", "cannot open '" + path + "'");
            config.message.assign(std::istreambuf_iterator<char>(in), {});
            if (in.bad())
              throw CLI::ValidationError("--message-file", "cannot read '" + path + "'");
          },
          "Send the bytes of this file, or of standard input for '-'")
      ->type_name("PATH")
      ->excludes(message);
  send.add_option("-c,--count", config.count, "Exchanges to make, one after another")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000'000}).description(""))
      ->capture_default_str();
  send.add_option_function<std::string>(
          "--expect",
          [&config](const std::string& text) {
            auto bytes = unescape(text);
            if (!bytes) throw CLI::ValidationError("--expect", "invalid escape in '" + text + "'");
            config.expect = std::move(*bytes);
          },
          std::string("Exit with status 7 unless the reply is exactly this") + escapes_help)
      ->type_name("TEXT");
  send.add_flag("-v,--verbose", config.verbose,
                "TLS: a line with the protocol, cipher and key exchange");
  add_tls_client_options(send, tls, false);
}

void describe_bench(CLI::App& bench, BenchConfig& config, TlsRequest<TlsClientOptions>& tls) {
  add_endpoint_options(bench, config.host, config.port, config.timeout,
                       "Server name or IPv4/IPv6 address", "Port the server listens on",
                       "Count an operation that takes longer than this as a timeout error; 0 "
                       "means never");
  add_unix_option(bench, config.unix_path, "Load the server on this Unix domain socket");
  add_choice_option(
      bench, "--mode", config.mode,
      {{"rr", BenchConfig::Mode::rr},
       {"stream", BenchConfig::Mode::stream},
       {"exchange", BenchConfig::Mode::exchange},
       {"idle", BenchConfig::Mode::idle},
       {"flood", BenchConfig::Mode::flood}},
      "rr: request/response of SIZE bytes against an echo server; stream: a window "
      "of SIZE-byte writes in flight, echoed stream verified; exchange: the seed's "
      "protocol, one connection per exchange; flood: send --message, then SIZE-byte "
      "writes without reading (load beside another bench); idle: hold the connections, then "
      "check each still answers");
  bench.add_option("-c,--connections", config.connections, "Connections open at once")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}).description(""))
      ->capture_default_str();
  // A thousandth of a second at least: a rate over no time at all is no rate.
  add_seconds_option(bench, "-d,--duration", config.duration, "How long to measure", 0.001);
  add_seconds_option(bench, "--warmup", config.warmup, "Load before measuring, not counted");
  bench.add_option("-s,--size", config.size, "rr: bytes per request; stream: bytes per write")
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{1}, max_slice).description(""))
      ->capture_default_str();
  bench
      .add_option("--rate", config.rate,
                  "rr: requests per second in all, sent on schedule (open loop); latency counts "
                  "from when each was due. 0: as fast as replies come")
      ->type_name("PER_SECOND")
      ->check(number_from(0.0, 1e9, ""))
      ->capture_default_str();
  bench
      .add_option("--window", config.window,
                  "stream: bytes in flight per connection at most; 0 means four writes' worth")
      ->type_name("BYTES")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 30).description(""))
      ->capture_default_str();
  bench.add_flag(
      "--echo-first", config.echo_first,
      "idle: have 16 bytes echoed on each connection before holding it (an echo server's "
      "connections that have served once)");
  add_threads_option(bench, config.threads,
                     "Threads generating load, each with its own connections");
  add_bytes_option(bench, "--message", config.message, "exchange and idle: what to send");
  add_bytes_option(bench, "--expect", config.expect, "exchange and idle: the reply required");
  auto* json = bench.add_flag("--json", config.json,
                              "Print one JSON object: rates, percentiles, errors by kind and "
                              "the histogram's buckets");
  bench.add_flag("--histogram", config.histogram, "Draw the latency histogram")->excludes(json);
  add_tls_client_options(bench, tls, true);
}

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

}  // namespace

ParsedCommandLine parse_command_line(int argc, const char* const* argv) {
  CLI::App app(
      "tcpecho: a TCP server, client and load tool for the classic echo-server exchange (the "
      "client sends 'Greetings, server', the server prints it and answers 'Goodbye, client!'), "
      "and an RFC 862 echo server.",
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
      "reply (or echo, with --mode echo). Runs until SIGINT/SIGTERM.");
  TlsRequest<TlsServerOptions> server_tls;
  describe_serve(*serve, server, server_tls);

  ClientConfig client;
  CLI::App* send = app.add_subcommand(
      "send",
      "Connect, send the greeting, print the server's reply, and exit. No reply, or part of the "
      "seed's reply and then the end, is a failed exchange (exit 5).");
  TlsRequest<TlsClientOptions> client_tls;
  describe_send(*send, client, client_tls);

  BenchConfig bench;
  CLI::App* load = app.add_subcommand(
      "bench",
      "Load a TCP server and report operations/s, MB/s, latency percentiles and errors by "
      "kind; every byte that comes back is checked. Any error makes the exit status 5; 4 if no "
      "connection could be made at all.");
  TlsRequest<TlsClientOptions> bench_tls;
  describe_bench(*load, bench, bench_tls);

  try {
    app.parse(argc, argv);
    // Checked here rather than by require_subcommand(), which would report a
    // mistyped subcommand as a missing one.
    if (app.get_subcommands().empty())
      throw CLI::RequiredError("A subcommand (serve, send or bench)");
    check_environment(*app.get_subcommands().front());
  } catch (const CLI::ParseError& error) {
    const int status = app.exit(error);
    return status == 0 ? ExitStatus::ok : ExitStatus::usage;
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

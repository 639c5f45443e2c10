// `tcpecho serve`'s options: where it listens, on how many threads, for how
// many clients at once, and what it does with each connection.
#include <arpa/inet.h>

#include <algorithm>

#include "cli/cli_listen.hpp"
#include "cli/cli_options.hpp"
#include "cli/cli_tls.hpp"
#include "cli/subcommands.hpp"

namespace tcpecho {
namespace {

// --unix-mode: octal, as chmod takes it.
void add_unix_mode_option(CLI::App& serve, std::optional<mode_t>& target) {
  serve
      .add_option_function<std::string>(
          "--unix-mode",
          [&target](const std::string& text) {
            std::size_t end = 0;
            unsigned long mode = 0;
            try {
              mode = std::stoul(text, &end, 8);
            } catch (const std::exception&) {
              end = 0;
            }
            if (end != text.size() || mode > 0777)
              throw CLI::ValidationError("--unix-mode", "'" + text + "' is not an octal mode");
            target = static_cast<mode_t>(mode);
          },
          "With --unix (or --listen unix:PATH): the socket file's permissions, in octal (660: "
          "owner and group may connect); default: as the umask leaves them")
      ->type_name("MODE");
}

// Where serve listens, on how many threads, for how many clients at once.
void describe_listening(CLI::App& serve, ServerConfig& config, EndpointRequest& endpoint) {
  add_endpoint_options(
      serve, endpoint, config.host, config.port, config.timeout,
      "Address or name to listen on. A name with several addresses listens on each; '::' "
      "takes IPv4 and IPv6 clients on one socket",
      "Port to listen on; 0 picks a free one (the 'Listening at' line shows it)",
      "Close a connection that has not finished this long after it was accepted (reply mode) "
      "or that has made no progress for this long (echo mode); 0 means never");
  add_unix_option(serve, endpoint, config.unix_path,
                  "Listen on this Unix domain socket: a stale socket file is replaced, one where "
                  "a server listens is refused (exit 6), and the file is removed at exit");
  add_unix_mode_option(serve, config.unix_mode);
  add_listen_option(serve, config);
  serve
      .add_option("--max-connections", config.max_connections,
                  "Connections served at once, in all addresses and --threads together; further "
                  "clients wait in the kernel's listen backlog until one finishes, and none is "
                  "dropped")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}).description(""))
      ->capture_default_str();
  add_threads_option(serve, config.threads,
                     "Threads to serve on, each with its own listening socket on the same port "
                     "(SO_REUSEPORT) and its own connections; a port another process listens on "
                     "is refused all the same");
  add_seconds_option(
      serve, "--grace", config.grace,
      "On the first SIGINT/SIGTERM/SIGHUP, exchanges in flight get this long to finish; "
      "a second signal stops at once");
}

// What serve does with a connection, and what it prints of it.
void describe_answers(CLI::App& serve, ServerConfig& config) {
  add_choice_option(serve, "--mode", config.mode,
                    {{"reply", ServerConfig::Mode::reply}, {"echo", ServerConfig::Mode::echo}},
                    "reply: read the message (--length bytes, or until the client's end), print "
                    "it, send --reply, close; echo: RFC 862 echo");
  add_bytes_option(serve, "--reply", config.reply, "Reply mode: what to answer each message with");
  serve
      .add_option("--length", config.message_length,
                  "Reply mode: bytes to read as the message before replying (fewer if the "
                  "client half-closes first), 1 to 16777216; a limit, not an allocation")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{16 * 1024 * 1024}).description(""))
      ->capture_default_str();
  add_log_format_option(serve, config.log_format);
  auto* quiet = serve.add_flag("-q,--quiet", config.quiet,
                               "No per-connection lines: only start, errors and shutdown");
  serve
      .add_flag("-v,--verbose", config.verbose,
                "Echo mode: also a line for every chunk echoed; TLS: a line with each "
                "connection's protocol, cipher, key exchange and client certificate")
      ->excludes(quiet);
}

// An option of address blocks, each checked where it is written.
CLI::Option* add_cidr_option(CLI::App& serve, const std::string& name, std::vector<Cidr>& target,
                             const std::string& description) {
  return serve
      .add_option_function<std::vector<std::string>>(
          name,
          [name, &target](const std::vector<std::string>& blocks) {
            for (const auto& text : blocks) {
              std::string why;
              auto cidr = Cidr::parse(text, why);
              if (!cidr) throw CLI::ValidationError(name, "'" + text + "': " + why);
              target.push_back(*cidr);
            }
          },
          description)
      ->type_name("CIDR");
}

// --metrics HOST:PORT, where HOST is an address: /metrics is no place for a
// name that resolves to several.
void add_metrics_option(CLI::App& serve, std::optional<MetricsAddress>& target) {
  serve
      .add_option_function<std::string>(
          "--metrics",
          [&target](const std::string& text) {
            auto [host, port] = split_host("--metrics", text);
            in6_addr ignored{};
            const int family = host.find(':') != std::string::npos ? AF_INET6 : AF_INET;
            if (!port || ::inet_pton(family, host.c_str(), &ignored) != 1)
              throw CLI::ValidationError("--metrics", "'" + text + "' is not ADDRESS:PORT");
            target = MetricsAddress{host, checked_port("--metrics", *port)};
          },
          "Serve Prometheus metrics at http://ADDRESS:PORT/metrics (127.0.0.1:9100, "
          "[::1]:9100; port 0 picks one, printed at start): connections, refusals, bytes, "
          "exchanges, TLS handshakes, connection durations")
      ->type_name("ADDRESS:PORT");
}

// Who may connect, and who may say who connects.
void add_admission_options(CLI::App& serve, ServerConfig& config) {
  serve.add_flag(
      "--proxy-protocol", config.proxy_protocol,
      "Each connection must begin with a PROXY protocol header, version 1 or 2 (HAProxy's "
      "send-proxy, send-proxy-v2; an AWS NLB's proxy protocol v2), sent ahead of TLS; the client "
      "it names is the one printed. A connection without a valid header within --timeout is "
      "closed with one line");
  add_cidr_option(serve, "--proxy-from", config.proxy_from,
                  "With --proxy-protocol: only these addresses (10.0.0.0/8, 2001:db8::/32, "
                  "192.0.2.7) may send a header; a connection from anywhere else is refused. "
                  "Repeatable");
  add_cidr_option(serve, "--deny", config.deny,
                  "Refuse clients in this address block (the one a PROXY header names, else the "
                  "socket's peer; Unix clients are not judged): closed at once, unread, holding "
                  "no --max-connections slot, told on stderr once per address per 10 s. "
                  "Repeatable");
  add_cidr_option(serve, "--allow", config.allow,
                  "Refuse clients in none of these address blocks (and those --deny names). "
                  "Repeatable");
  serve
      .add_option("--max-per-client", config.max_per_client,
                  "Connections open at once from one client address (an IPv6 client by its "
                  "/64); more are refused as --deny refuses. 0: no limit")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1'000'000}).description(""))
      ->capture_default_str();
}

}  // namespace

CLI::App* add_serve(CLI::App& app, ServerConfig& config, TlsRequest<TlsServerOptions>& tls,
                    EndpointRequest& endpoint) {
  CLI::App* serve = app.add_subcommand(
      "serve",
      "Listen; for each client, print where it came from and its message, answer with the "
      "reply ('Goodbye, client!') and close (or echo everything back, with --mode echo). "
      "Runs until SIGINT, SIGTERM or SIGHUP.");
  describe_listening(*serve, config, endpoint);
  describe_answers(*serve, config);
  add_admission_options(*serve, config);
  add_metrics_option(*serve, config.metrics);
  add_tls_server_options(*serve, tls);
  return serve;
}

void settle_serve(const CLI::App& serve, const EndpointRequest& endpoint,
                  const TlsServerOptions& tls, ServerConfig& config) {
  settle_listeners(endpoint, config);
  const auto listeners = config.every_listener();
  const auto any = [&listeners](auto&& test) {
    return std::any_of(listeners.begin(), listeners.end(), test);
  };
  const bool reply = any([](const auto& l) { return l.mode == ServeMode::reply; });
  refuse_unless(serve, "--reply", reply,
                "applies to --mode reply only (or a listener with mode=reply)");
  refuse_unless(serve, "--length", reply,
                "applies to --mode reply only (or a listener with mode=reply)");
  const bool unix = any([](const auto& l) { return !l.unix_path.empty(); });
  refuse_unless(serve, "--unix-mode", unix, "applies to a Unix socket (--unix) only");
  const bool proxied = any([](const auto& l) { return l.proxy_protocol; });
  refuse_unless(serve, "--proxy-from", proxied, "applies with --proxy-protocol only");
  const bool secure = any([](const auto& l) { return l.tls; });
  for (const char* option : {"--tls-cert", "--tls-key", "--tls-client-ca", "--tls-min-version",
                             "--tls-ciphers", "--tls-ciphersuites"})
    refuse_unless(serve, option, secure, "applies with --tls only (or a listener with tls)");
  if (secure && !config.tls) config.tls = tls;
}

}  // namespace tcpecho

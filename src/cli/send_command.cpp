// `tcpecho send`'s options: where to connect, what to send, what to expect.
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/cli_options.hpp"
#include "cli/cli_tls.hpp"
#include "cli/subcommands.hpp"

namespace tcpecho {
namespace {

// --message-file PATH: the message from a file, or from stdin for '-'.
CLI::Option* add_message_file_option(CLI::App& send, std::string& message) {
  return send
      .add_option_function<std::string>(
          "--message-file",
          [&message](const std::string& path) {
            std::ifstream file;
            if (path != "-") file.open(path, std::ios::binary);
            std::istream& in = path == "-" ? std::cin : file;
            if (!in) throw CLI::ValidationError("--message-file", "cannot open '" + path + "'");
            message.assign(std::istreambuf_iterator<char>(in), {});
            if (in.bad())
              throw CLI::ValidationError("--message-file", "cannot read '" + path + "'");
          },
          "Send the bytes of this file, or of standard input for '-'")
      ->type_name("PATH");
}

}  // namespace

CLI::App* add_send(CLI::App& app, ClientConfig& config, TlsRequest<TlsClientOptions>& tls) {
  CLI::App* send = app.add_subcommand(
      "send",
      "Connect, send the greeting, print the server's reply, and exit. No reply, or part of the "
      "seed's reply and then the end, is a failed exchange (exit 5).");
  add_endpoint_options(*send, config.host, config.port, config.timeout,
                       "Server name or IPv4/IPv6 address; each address it resolves to is tried",
                       "Port the server listens on",
                       "Give up on an exchange, name lookup and connecting included, after this "
                       "long; 0 means never");
  add_unix_option(*send, config.unix_path, "Connect to this Unix domain socket");
  auto* message = add_bytes_option(*send, "--message", config.message, "What to send");
  add_message_file_option(*send, config.message)->excludes(message);
  send->add_option("-c,--count", config.count, "Exchanges to make, one after another")
      ->type_name("N")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000'000}).description(""))
      ->capture_default_str();
  send->add_option_function<std::string>(
          "--expect",
          [&config](const std::string& text) {
            auto bytes = unescape(text);
            if (!bytes) throw CLI::ValidationError("--expect", "invalid escape in '" + text + "'");
            config.expect = std::move(*bytes);
          },
          std::string("Exit with status 7 unless the reply is exactly this") + escapes_help)
      ->type_name("TEXT");
  send->add_flag("-v,--verbose", config.verbose,
                 "TLS: a line with the protocol, cipher and key exchange");
  add_tls_client_options(*send, tls, false);
  return send;
}

}  // namespace tcpecho

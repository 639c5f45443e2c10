// `tcpecho send`'s options: where to connect, what to send, what to expect.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "cli/cli_options.hpp"
#include "cli/cli_tls.hpp"
#include "cli/subcommands.hpp"

namespace tcpecho {
namespace {

// Appends what `fd` holds, up to `limit` bytes, to `bytes`; 0, or the errno
// of the read that failed.
int read_up_to(int fd, std::size_t limit, std::string& bytes) {
  std::array<char, 64 * 1024> chunk;
  while (bytes.size() < limit) {
    const ssize_t n = ::read(fd, chunk.data(), std::min(chunk.size(), limit - bytes.size()));
    if (n == 0) return 0;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    bytes.append(chunk.data(), static_cast<std::size_t>(n));
  }
  return 0;
}

// The bytes of `path` (standard input for '-'). The message is sent from
// memory, so one over max_message_file is refused rather than read until
// memory runs out; a directory, /proc/self/mem or a stdin that cannot be read
// is one line naming the file and the reason.
std::string read_message_file(const std::string& path) {
  const auto cannot = [&path](const char* what, int error) {
    return CLI::ValidationError(
        "--message-file", fmt::format("cannot {} '{}': {}", what, path, std::strerror(error)));
  };
  const int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw cannot("open", errno);
  std::string message;
  const int error = read_up_to(fd, max_message_file + 1, message);
  if (fd != STDIN_FILENO) ::close(fd);
  if (error != 0) throw cannot("read", error);
  if (message.size() > max_message_file) {
    throw CLI::ValidationError(
        "--message-file", fmt::format("'{}' holds more than {} bytes", path, max_message_file));
  }
  return message;
}

// --message-file PATH: the message from a file, or from stdin for '-'.
CLI::Option* add_message_file_option(CLI::App& send, std::string& message) {
  return send
      .add_option_function<std::string>(
          "--message-file",
          [&message](const std::string& path) { message = read_message_file(path); },
          fmt::format("Send the bytes of this file, or of standard input for '-' (at most {} "
                      "bytes)",
                      max_message_file))
      ->type_name("PATH");
}

}  // namespace

CLI::App* add_send(CLI::App& app, ClientConfig& config, TlsRequest<TlsClientOptions>& tls,
                   EndpointRequest& endpoint) {
  CLI::App* send = app.add_subcommand(
      "send",
      "Connect, send the message ('Greetings, server'), half-close, print the server's reply, "
      "and exit. No reply, or part of 'Goodbye, client!' and then the end, is a failed exchange "
      "(exit 5).");
  endpoint.port_zero_allowed = false;
  add_endpoint_options(*send, endpoint, config.host, config.port, config.timeout,
                       "Server name or IPv4/IPv6 address; each address it resolves to is tried",
                       "Port the server listens on",
                       "Give up on an exchange, name lookup and connecting included, after this "
                       "long; 0 means never");
  add_unix_option(*send, endpoint, config.unix_path, "Connect to this Unix domain socket");
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
  send->add_flag_callback(
      "--no-half-close", [&config] { config.half_close = false; },
      "Keep sending open after the message, for servers that take the client's end as a "
      "hang-up: the reply then ends at --expect's length, the server's end, or --timeout, and "
      "the connection is closed after it");
  send->add_flag("-v,--verbose", config.verbose,
                 "TLS: a line with the protocol, cipher and key exchange");
  add_log_format_option(*send, config.log_format);
  add_tls_client_options(*send, tls, false);
  return send;
}

}  // namespace tcpecho

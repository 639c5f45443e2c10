// The command line's TLS options: --tls and the --tls-* options that go with
// it, for serve (a certificate, client certificates required) and for send
// and bench (whom to trust, a pin, a client certificate).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>

#include "config/tls_config.hpp"

namespace tcpecho {

// What the options fill in while CLI11 parses; `requested()` afterwards
// says whether --tls was given, and with what.
template <typename Options>
struct TlsRequest {
  bool enabled = false;
  Options options;
  std::optional<Options> requested() const {
    return enabled ? std::optional<Options>(options) : std::nullopt;
  }
};

void add_tls_server_options(CLI::App& serve, TlsRequest<TlsServerOptions>& request);
// `resumable`: bench's --tls-resume.
void add_tls_client_options(CLI::App& client, TlsRequest<TlsClientOptions>& request,
                            bool resumable);

// A SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it
// (upper case, colons), from 64 hex digits with or without colons; empty if
// `text` is not one.
std::string normal_fingerprint(std::string_view text);

}  // namespace tcpecho

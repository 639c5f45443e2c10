// --tls and the --tls-* options: see cli_tls.hpp.
#include "cli/cli_tls.hpp"

#include <cctype>

namespace tcpecho {
namespace {

// `tls`: the --tls it needs; none for serve, where a listener's tls option
// may stand for it (settle_serve() checks).
CLI::Option* add_file_option(CLI::App& app, const std::string& name, std::string& target,
                             const std::string& help, CLI::Option* tls) {
  auto* option = app.add_option(name, target, help)->type_name("PEM")->check(CLI::ExistingFile);
  return tls != nullptr ? option->needs(tls) : option;
}

// --tls-cert and --tls-key, which make sense only together.
void add_certificate_options(CLI::App& app, std::string& cert_file, std::string& key_file,
                             const std::string& cert_help, CLI::Option* tls) {
  auto* cert = add_file_option(app, "--tls-cert", cert_file, cert_help, tls);
  auto* key = add_file_option(app, "--tls-key", key_file, "The private key of --tls-cert", tls);
  cert->needs(key);
  key->needs(cert);
}

CLI::Option* add_fingerprint_option(CLI::App& client, std::string& fingerprint) {
  return client
      .add_option_function<std::string>(
          "--tls-fingerprint",
          [&fingerprint](const std::string& text) {
            fingerprint = normal_fingerprint(text);
            if (fingerprint.empty())
              throw CLI::ValidationError("--tls-fingerprint",
                                         "'" + text + "' is not 64 hex digits");
          },
          "Accept only the certificate with this SHA-256 fingerprint (serve --tls prints its "
          "own), whoever signed it")
      ->type_name("SHA256");
}

}  // namespace

std::string normal_fingerprint(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    digits += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (digits.size() != 64) return "";
  std::string normal;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    if (i > 0) normal += ':';
    normal += digits.substr(i, 2);
  }
  return normal;
}

void add_tls_server_options(CLI::App& serve, TlsRequest<TlsServerOptions>& request) {
  serve.add_flag("--tls", request.enabled,
                 "Serve over TLS 1.2/1.3 (every listener that does not say tls=off); without "
                 "--tls-cert, with a temporary self-signed certificate whose SHA-256 fingerprint "
                 "is printed on stderr at start (for send --tls-fingerprint)");
  add_certificate_options(serve, request.options.cert_file, request.options.key_file,
                          "The server's certificate chain, leaf first", nullptr);
  add_file_option(serve, "--tls-client-ca", request.options.client_ca_file,
                  "Require a client certificate that this CA signed", nullptr);
  serve
      .add_option_function<std::string>(
          "--tls-min-version",
          [&request](const std::string& version) { request.options.tls13_only = version == "1.3"; },
          "The oldest TLS version served: 1.2 (the default) or 1.3")
      ->type_name("1.2|1.3")
      ->check(CLI::IsMember({"1.2", "1.3"}));
  serve
      .add_option("--tls-ciphers", request.options.ciphers,
                  "TLS 1.2 ciphers in the server's order of preference, as OpenSSL lists them "
                  "(default: Mozilla's intermediate profile)")
      ->type_name("LIST");
  serve
      .add_option("--tls-ciphersuites", request.options.ciphersuites,
                  "TLS 1.3 cipher suites in the server's order of preference (default: "
                  "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256)")
      ->type_name("LIST");
}

void add_tls_client_options(CLI::App& client, TlsRequest<TlsClientOptions>& request,
                            bool resumable) {
  auto& options = request.options;
  auto* tls = client.add_flag("--tls", request.enabled,
                              "Connect over TLS 1.2/1.3, checking the server's certificate "
                              "against the system's trust store and its name against --host "
                              "(which is also sent as SNI)");
  auto* ca = add_file_option(client, "--tls-ca", options.ca_file,
                             "Trust this CA instead of the system's store", tls);
  auto* pin = add_fingerprint_option(client, options.fingerprint)->needs(tls)->excludes(ca);
  client
      .add_flag("--tls-insecure", options.insecure,
                "Check no certificate at all, and say so on stderr")
      ->needs(tls)
      ->excludes(ca)
      ->excludes(pin);
  add_certificate_options(client, options.cert_file, options.key_file,
                          "A client certificate chain to present, leaf first", tls);
  if (resumable) {
    client
        .add_flag("--tls-resume", options.resume,
                  "exchange: resume the last TLS session instead of a full handshake each time")
        ->needs(tls);
  }
}

}  // namespace tcpecho

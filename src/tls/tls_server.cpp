// make_tls_server(): what every connection of `serve --tls` starts from,
// held in one asio::ssl::context that the server's threads share.
#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <set>

#include "exit_status.hpp"
#include "net/endpoints.hpp"
#include "tls/self_signed.hpp"
#include "tls/tls_session.hpp"
#include "tls/tls_settings.hpp"

namespace tcpecho {
namespace {

using asio::ssl::context;

// What a client may call the server: each address it listens on (a
// wildcard, by the loopback addresses), and localhost.
std::vector<std::string> names_for(const std::vector<Endpoint>& endpoints) {
  std::set<std::string> names{"DNS:localhost"};
  for (const auto& endpoint : endpoints) {
    if (is_unix(endpoint)) continue;
    const auto address = ip_endpoint(endpoint).address();
    if (address.is_unspecified()) {
      names.insert("IP:127.0.0.1");
      if (address.is_v6()) names.insert("IP:::1");
    } else {
      names.insert("IP:" + address.to_string());
    }
  }
  return {names.begin(), names.end()};
}

class OpenSslServer final : public TlsServer {
 public:
  OpenSslServer(const TlsServerOptions& options, const std::vector<Endpoint>& endpoints)
      : tls_(context::tls_server) {
    common_settings(tls_);
    SSL_CTX* native = tls_.native_handle();
    std::string where;
    if (options.cert_file.empty()) {
      const auto names = names_for(endpoints);
      auto made = make_self_signed(names);
      SSL_CTX_use_certificate(native, made.certificate.get());
      SSL_CTX_use_PrivateKey(native, made.key.get());
      where = "a temporary self-signed certificate for";
      for (const auto& name : names) where += " " + name.substr(name.find(':') + 1);
    } else {
      use_certificate(tls_, options.cert_file, options.key_file);
      where = "certificate " + options.cert_file;
    }
    if (!options.client_ca_file.empty()) require_client_certificates(options.client_ca_file);
    choose_ciphers(options);
    // Resumed sessions must come from this server, and a server that checks
    // client certificates refuses to resume without it.
    static constexpr unsigned char id[] = "tcpecho";
    SSL_CTX_set_session_id_context(native, id, sizeof id - 1);
    announcement_ = fmt::format("TLS with {}, SHA-256 fingerprint {}", where,
                                sha256_fingerprint(SSL_CTX_get0_certificate(native)));
  }

  std::unique_ptr<TlsLayer> accept(Socket& socket) override {
    SSL* ssl = SSL_new(tls_.native_handle());
    if (!ssl) throw std::bad_alloc();
    SSL_set_accept_state(ssl);
    return std::make_unique<TlsSession>(ssl, socket);
  }

  std::string announcement() const override { return announcement_; }

 private:
  // The profile: versions, then ciphers in the server's order of preference.
  void choose_ciphers(const TlsServerOptions& options) {
    SSL_CTX* native = tls_.native_handle();
    if (options.tls13_only) SSL_CTX_set_min_proto_version(native, TLS1_3_VERSION);
    SSL_CTX_set_options(native, SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(native, options.ciphers.c_str()) != 1) {
      refuse("--tls-ciphers", options.ciphers);
    }
    if (SSL_CTX_set_ciphersuites(native, options.ciphersuites.c_str()) != 1) {
      refuse("--tls-ciphersuites", options.ciphersuites);
    }
  }

  [[noreturn]] static void refuse(const char* option, const std::string& list) {
    ERR_clear_error();
    throw StartupError(ExitStatus::usage,
                       fmt::format("{} {}: no cipher OpenSSL knows", option, list));
  }

  void require_client_certificates(const std::string& ca_file) {
    asio::error_code error;
    tls_.load_verify_file(ca_file, error);
    check_file("--tls-client-ca", ca_file, error);
    tls_.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    SSL_CTX_set_client_CA_list(tls_.native_handle(), SSL_load_client_CA_file(ca_file.c_str()));
  }

  context tls_;
  std::string announcement_;
};

}  // namespace

std::unique_ptr<TlsServer> make_tls_server(const TlsServerOptions& options,
                                           const std::vector<Endpoint>& endpoints) {
  return std::make_unique<OpenSslServer>(options, endpoints);
}

}  // namespace tcpecho

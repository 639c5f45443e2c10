// make_tls_client(): what every connection of `send --tls` and `bench --tls`
// starts from: whom to trust (the system's store, --tls-ca, a pinned
// fingerprint, or nobody), a client certificate, and the session to resume.
#include <openssl/x509v3.h>

#include "tls/tls_session.hpp"
#include "tls/tls_settings.hpp"

namespace tcpecho {
namespace {

// Where a context keeps its OpenSslClient, for OpenSSL's callbacks. (Not
// SSL_CTX_set_app_data(): asio::ssl::context keeps its own callback there.)
int client_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

class OpenSslClient final : public TlsClient {
 public:
  explicit OpenSslClient(const TlsClientOptions& options)
      : options_(options), tls_(asio::ssl::context::tls_client) {
    common_settings(tls_);
    SSL_CTX* native = tls_.native_handle();
    SSL_CTX_set_ex_data(native, client_index(), this);
    if (!options.cert_file.empty()) {
      use_certificate(tls_, options.cert_file, options.key_file);
    } else {
      SSL_CTX_set_client_cert_cb(native, owe_certificate);
    }
    if (!options.fingerprint.empty()) {
      // The pin is the trust: whoever signed the certificate does not matter.
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER, check_pin);
    } else if (!options.insecure) {
      trust(options.ca_file);
    }
    if (options.resume) {
      SSL_CTX_set_session_cache_mode(native,
                                     SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
      SSL_CTX_sess_set_new_cb(native, remember);
    }
  }

  std::unique_ptr<TlsLayer> connect(Socket& socket, const std::string& host) override {
    SSL* ssl = SSL_new(tls_.native_handle());
    if (!ssl) throw std::bad_alloc();
    SSL_set_connect_state(ssl);
    asio::error_code not_an_address;
    asio::ip::make_address(host, not_an_address);
    if (!not_an_address) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    } else if (!host.empty()) {
      SSL_set_tlsext_host_name(ssl, host.c_str());
      SSL_set1_host(ssl, host.c_str());
    }
    if (session_) SSL_set_session(ssl, session_.get());
    return std::make_unique<TlsSession>(ssl, socket);
  }

  std::string warning() const override {
    if (!options_.insecure || !options_.fingerprint.empty()) return "";
    return "--tls-insecure: the server's certificate is not checked, so anybody on the way "
           "can read and change what is sent";
  }

 private:
  void trust(const std::string& ca_file) {
    asio::error_code error;
    if (ca_file.empty()) {
      tls_.set_default_verify_paths(error);
    } else {
      tls_.load_verify_file(ca_file, error);
    }
    check_file("--tls-ca", ca_file, error);
    tls_.set_verify_mode(asio::ssl::verify_peer);
  }

  static OpenSslClient& of(SSL* ssl) {
    return *static_cast<OpenSslClient*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), client_index()));
  }

  // Only the server's own certificate (depth 0) is compared with the pin;
  // the chain above it is neither needed nor checked.
  static int check_pin(int, X509_STORE_CTX* store) {
    if (X509_STORE_CTX_get_error_depth(store) > 0) return 1;
    auto* ssl = static_cast<SSL*>(
        X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const bool matches = sha256_fingerprint(X509_STORE_CTX_get_current_cert(store)) ==
                         of(ssl).options_.fingerprint;
    X509_STORE_CTX_set_error(store, matches ? X509_V_OK : X509_V_ERR_APPLICATION_VERIFICATION);
    return matches ? 1 : 0;
  }

  // The server asks for a client certificate and there is none to give: say
  // so, for the refusal that may follow the handshake.
  static int owe_certificate(SSL* ssl, X509**, EVP_PKEY**) {
    mark_certificate_owed(ssl);
    return 0;
  }

  // TLS 1.3 servers send their tickets after the handshake: the newest
  // session is the one to resume.
  static int remember(SSL* ssl, SSL_SESSION* session) {
    of(ssl).session_.reset(session);
    return 1;  // kept: OpenSSL must not free it
  }

  struct FreeSession {
    void operator()(SSL_SESSION* session) const { SSL_SESSION_free(session); }
  };

  TlsClientOptions options_;
  asio::ssl::context tls_;
  std::unique_ptr<SSL_SESSION, FreeSession> session_;
};

}  // namespace

std::unique_ptr<TlsClient> make_tls_client(const TlsClientOptions& options) {
  return std::make_unique<OpenSslClient>(options);
}

}  // namespace tcpecho

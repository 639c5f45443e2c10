// The TLS factories of a build without OpenSSL (-Dtls=disabled, or no
// libssl-dev): --tls is refused at start with one line, and nothing else
// changes.
#include "exit_status.hpp"
#include "tls/tls.hpp"

namespace tcpecho {
namespace {

[[noreturn]] void refuse() {
  throw StartupError(ExitStatus::usage,
                     "--tls: this tcpecho was built without TLS (OpenSSL was not found)");
}

}  // namespace

std::unique_ptr<TlsServer> make_tls_server(const TlsServerOptions&, const std::vector<Endpoint>&) {
  refuse();
}

std::unique_ptr<TlsClient> make_tls_client(const TlsClientOptions&) { refuse(); }

std::string tls_library_version() { return "none"; }

}  // namespace tcpecho

// What the command line asked of TLS, checked and nothing more: the files it
// names are read when the server or client starts (tls/tls_server.cpp,
// tls/tls_client.cpp). Needs neither Asio nor OpenSSL, so the CLI and the
// config structs need them not.
#pragma once

#include <string>

namespace tcpecho {

struct TlsServerOptions {
  // Both empty: a temporary self-signed certificate is made at start.
  std::string cert_file;
  std::string key_file;
  // Not empty: clients must present a certificate that this CA signed.
  std::string client_ca_file;
};

struct TlsClientOptions {
  std::string ca_file;      // trust this CA instead of the system's store
  std::string fingerprint;  // pin: the server certificate's SHA-256, 64 hex digits
  bool insecure = false;    // check nothing (and say so)
  std::string cert_file;    // a client certificate, with its key
  std::string key_file;
  bool resume = false;  // bench: resume the last session instead of a full handshake
};

}  // namespace tcpecho

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
  // What may be negotiated, as OpenSSL writes it. The defaults are Mozilla's
  // "intermediate" server profile, with AES-128-GCM first for TLS 1.3 (as Go
  // and BoringSSL choose on processors with AES instructions); the server's
  // order wins over the client's.
  bool tls13_only = false;  // --tls-min-version 1.3
  std::string ciphers =     // TLS 1.2
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
      "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
  std::string ciphersuites =  // TLS 1.3
      "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
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

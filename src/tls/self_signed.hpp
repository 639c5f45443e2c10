// The temporary certificate `serve --tls` makes when it is given none: a
// fresh ECDSA P-256 key and a self-signed certificate for the names a
// client may use to reach the server, valid from an hour ago (clocks drift)
// for a week. Nothing is written to disk: it lives as long as the server.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace tcpecho {

struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct FreeCertificate {
  void operator()(X509* certificate) const { X509_free(certificate); }
};

struct Credentials {
  std::unique_ptr<EVP_PKEY, FreeKey> key;
  std::unique_ptr<X509, FreeCertificate> certificate;
};

// `names`: subjectAltName entries as OpenSSL writes them ("IP:::1",
// "DNS:localhost"). Throws std::runtime_error if OpenSSL cannot make them.
Credentials make_self_signed(const std::vector<std::string>& names);

}  // namespace tcpecho

// serve --tls's temporary certificate: see self_signed.hpp.
#include "tls/self_signed.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace tcpecho {
namespace {

void check(bool succeeded, const char* what) {
  if (!succeeded) throw std::runtime_error(std::string("cannot make a certificate: ") + what);
}

void set_random_serial(X509* certificate) {
  BIGNUM* serial = BN_new();
  check(serial && BN_rand(serial, 63, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1, "serial");
  BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(certificate));
  BN_free(serial);
}

void add_extension(X509* certificate, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "extension");
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

Credentials make_self_signed(const std::vector<std::string>& names) {
  Credentials made{std::unique_ptr<EVP_PKEY, FreeKey>(EVP_EC_gen("P-256")),
                   std::unique_ptr<X509, FreeCertificate>(X509_new())};
  check(made.key && made.certificate, "key");
  X509* certificate = made.certificate.get();
  X509_set_version(certificate, 2);  // X.509 v3, for the extensions
  set_random_serial(certificate);
  constexpr long hour = 60 * 60;
  X509_gmtime_adj(X509_getm_notBefore(certificate), -hour);
  X509_gmtime_adj(X509_getm_notAfter(certificate), 7 * 24 * hour);
  X509_set_pubkey(certificate, made.key.get());

  X509_NAME* name = X509_get_subject_name(certificate);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("tcpecho temporary"), -1, -1,
                             0);
  X509_set_issuer_name(certificate, name);
  std::string alt_names;
  for (const auto& entry : names) alt_names += (alt_names.empty() ? "" : ",") + entry;
  add_extension(certificate, NID_subject_alt_name, alt_names);
  add_extension(certificate, NID_basic_constraints, "critical,CA:FALSE");
  check(X509_sign(certificate, made.key.get(), EVP_sha256()) > 0, "signature");
  return made;
}

}  // namespace tcpecho

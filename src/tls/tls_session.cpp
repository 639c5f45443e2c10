// OpenSSL over one socket: see tls_session.hpp.
#include "tls/tls_session.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include <asio/ssl/error.hpp>
#include <cerrno>

namespace tcpecho {
namespace {

class VerificationCategory final : public asio::error_category {
 public:
  const char* name() const noexcept override { return "tls verification"; }
  std::string message(int value) const override {
    if (value == fingerprint_mismatch) return "certificate does not match --tls-fingerprint";
    return X509_verify_cert_error_string(value);
  }
};

// SSL_get_error() needs an empty error queue before each call. Clearing one
// passes over every slot; looking whether there is anything to clear does not.
void empty_error_queue() {
  if (ERR_peek_error() != 0) ERR_clear_error();
}

// What OpenSSL's error queue holds after a failed call, as one error code.
asio::error_code queued_error(SSL* ssl) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    return tls_truncated();
  }
  // "certificate verify failed" says less than the verification's result.
  if (ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED &&
      SSL_get_verify_result(ssl) != X509_V_OK) {
    const long result = SSL_get_verify_result(ssl);
    return {result == X509_V_ERR_APPLICATION_VERIFICATION ? fingerprint_mismatch
                                                          : static_cast<int>(result),
            verification_category()};
  }
  return {static_cast<int>(code), asio::error::get_ssl_category()};
}

// Where mark_certificate_owed() leaves its mark on an SSL.
int owed_certificate_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

std::string subject_of(X509* certificate) {
  BIO* text = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(text, X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(text, &data);
  std::string subject(data, static_cast<std::size_t>(size));
  BIO_free(text);
  return subject;
}

}  // namespace

const asio::error_category& verification_category() {
  static const VerificationCategory category;
  return category;
}

void mark_certificate_owed(SSL* ssl) {
  static int owed = 1;
  SSL_set_ex_data(ssl, owed_certificate_index(), &owed);
}

std::string sha256_fingerprint(X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  X509_digest(certificate, EVP_sha256(), digest, &size);
  std::string text;
  constexpr const char* hex = "0123456789ABCDEF";
  for (unsigned int i = 0; i < size; ++i) {
    if (i > 0) text += ':';
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 0xf];
  }
  return text;
}

TlsSession::TlsSession(SSL* ssl, Socket& socket) : ssl_(ssl) {
  source_.descriptor = socket.native_handle();
  BIO* bio = new_socket_bio(source_);
  SSL_set_bio(ssl, bio, bio);
}

asio::error_code TlsSession::error_of(int result) {
  const int system_error = errno;
  wants_write_ = false;
  switch (SSL_get_error(ssl_.get(), result)) {
    case SSL_ERROR_WANT_WRITE:
      wants_write_ = true;
      return asio::error::would_block;
    case SSL_ERROR_WANT_READ:
      return asio::error::would_block;
    case SSL_ERROR_ZERO_RETURN:
      return asio::error::eof;  // the peer's close_notify: a clean end
    case SSL_ERROR_SYSCALL:
      failed_ = true;
      ERR_clear_error();
      if (system_error != 0) return {system_error, asio::error::get_system_category()};
      return tls_truncated();
    default:
      failed_ = true;
      return queued_error(ssl_.get());
  }
}

void TlsSession::handshake_step(asio::error_code& error) {
  empty_error_queue();
  const int result = SSL_do_handshake(ssl_.get());
  error = result == 1 ? asio::error_code{} : error_of(result);
}

std::size_t TlsSession::read_now(asio::mutable_buffer buffer, asio::error_code& error) {
  error = {};
  if (buffer.size() == 0) return 0;
  empty_error_queue();
  std::size_t n = 0;
  const int result = SSL_read_ex(ssl_.get(), buffer.data(), buffer.size(), &n);
  if (result != 1) error = error_of(result);
  return n;
}

std::size_t TlsSession::send_now(asio::const_buffer bytes, asio::error_code& error) {
  error = {};
  if (bytes.size() == 0) return 0;
  empty_error_queue();
  std::size_t n = 0;
  const int result = SSL_write_ex(ssl_.get(), bytes.data(), bytes.size(), &n);
  if (result == 1) return n;
  error = error_of(result);
  if (error == asio::error::would_block) error = {};
  return 0;
}

void TlsSession::stage(asio::const_buffer received) {
  source_.staged = static_cast<const char*>(received.data());
  source_.staged_size = received.size();
}

bool TlsSession::has_pending() const {
  return source_.staged_size > 0 || SSL_has_pending(ssl_.get()) == 1;
}

// OpenSSL forbids SSL_shutdown() after a fatal error, and there is nothing
// to close before the handshake is over.
void TlsSession::close_notify() {
  if (failed_ || !SSL_is_init_finished(ssl_.get())) return;
  empty_error_queue();
  SSL_shutdown(ssl_.get());
  ERR_clear_error();
}

TlsFacts TlsSession::facts() const {
  SSL* ssl = ssl_.get();
  TlsFacts facts;
  facts.protocol = SSL_get_version(ssl);
  facts.cipher = SSL_get_cipher_name(ssl);
  if (const int group = SSL_get_negotiated_group(ssl); group != 0) {
    if (const char* name = SSL_group_to_name(ssl, group)) facts.group = name;
  }
  facts.resumed = SSL_session_reused(ssl) == 1;
  facts.owed_certificate = SSL_get_ex_data(ssl, owed_certificate_index()) != nullptr;
  if (X509* peer = SSL_get0_peer_certificate(ssl)) {
    facts.peer_subject = subject_of(peer);
    const EVP_PKEY* key = X509_get0_pubkey(peer);
    if (key) facts.peer_key = fmt::format("{} {} bits", EVP_PKEY_get0_type_name(key),
                                          EVP_PKEY_get_bits(key));
  }
  return facts;
}

}  // namespace tcpecho

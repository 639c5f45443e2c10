// What a TLS handshake settled, as --verbose prints it and bench reports
// it. Needs neither Asio nor OpenSSL.
#pragma once

#include <string>

namespace tcpecho {

// What a handshake settled, for --verbose and bench's report.
struct TlsFacts {
  std::string protocol;  // "TLSv1.3"
  std::string cipher;    // "TLS_AES_256_GCM_SHA384"
  std::string group;     // the key exchange's: "x25519"
  bool resumed = false;
  std::string peer_subject;  // the peer certificate's, if it showed one
  std::string peer_key;      // its key: "EC 256 bits"
  // A client's: the server asked for a certificate and was given none.
  bool owed_certificate = false;
};

// "TLSv1.3, TLS_AES_256_GCM_SHA384, x25519[, resumed][, peer certificate CN=...]"
inline std::string description(const TlsFacts& facts) {
  std::string text = facts.protocol + ", " + facts.cipher;
  if (!facts.group.empty()) text += ", " + facts.group;
  if (facts.resumed) text += ", resumed";
  if (!facts.peer_subject.empty()) text += ", peer certificate " + facts.peer_subject;
  return text;
}

}  // namespace tcpecho

// One JSON object on one line, field by field: what every line of
// --log-format json is. Its first fields are always "time" (RFC 3339, UTC,
// microseconds) and "event".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/stream.hpp"
#include "tls/tls_facts.hpp"

namespace tcpecho {

// Standard base64 (RFC 4648, with padding).
std::string base64(std::string_view bytes);

class JsonLine {
 public:
  explicit JsonLine(std::string_view event);

  JsonLine& text(std::string_view name, std::string_view value);
  JsonLine& number(std::string_view name, std::uint64_t value);
  JsonLine& seconds(std::string_view name, double value);
  JsonLine& flag(std::string_view name, bool value);
  // {"host": "192.0.2.7", "port": 56324}, or {"path": "/run/x.sock"} for a
  // Unix socket (an abstract one's name begins with "@"; an unnamed one's is
  // empty).
  JsonLine& address(std::string_view name, const Endpoint& endpoint);
  // Bytes as "<name>_repr" (Python's repr, as the transcript prints them) and
  // "<name>_base64".
  JsonLine& bytes(std::string_view name, std::string_view value);
  // A TLS handshake's: protocol, cipher, group, resumed, peer_certificate.
  JsonLine& tls(const TlsFacts& facts);
  // Members already written as JSON ("\"a\": 1, \"b\": [2]"), as they are.
  JsonLine& members(std::string_view json);

  std::string str() const { return line_ + "}"; }

 private:
  void key(std::string_view name);
  std::string line_;
};

}  // namespace tcpecho

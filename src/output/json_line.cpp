// JSON log lines: see json_line.hpp.
#include "output/json_line.hpp"

#include <fmt/format.h>
#include <sys/un.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ctime>

#include "net/endpoints.hpp"
#include "output/python_format.hpp"

namespace tcpecho {
namespace {

// A JSON string of `text`: quotes, backslashes and control characters
// escaped; a byte past ASCII as the code point of the same value, so that
// any bytes (a Unix socket's path) make valid JSON.
void append_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\u{:04x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string now_rfc3339() {
  const auto now = std::chrono::floor<std::chrono::microseconds>(std::chrono::system_clock::now());
  const auto seconds = std::chrono::floor<std::chrono::seconds>(now);
  const std::time_t time = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", utc.tm_year + 1900,
                     utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                     (now - seconds).count());
}

}  // namespace

std::string base64(std::string_view bytes) {
  static constexpr char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      group = group << 8 | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0U);
    }
    for (std::size_t j = 0; j < 4; ++j) {
      out += j <= n ? digits[(group >> (18 - 6 * j)) & 0x3f] : '=';
    }
  }
  return out;
}

JsonLine::JsonLine(std::string_view event) : line_("{") {
  text("time", now_rfc3339());
  text("event", event);
}

void JsonLine::key(std::string_view name) {
  if (line_.size() > 1) line_ += ", ";
  append_string(line_, name);
  line_ += ": ";
}

JsonLine& JsonLine::text(std::string_view name, std::string_view value) {
  key(name);
  append_string(line_, value);
  return *this;
}

JsonLine& JsonLine::tls(const TlsFacts& facts) {
  text("protocol", facts.protocol).text("cipher", facts.cipher);
  if (!facts.group.empty()) text("group", facts.group);
  flag("resumed", facts.resumed);
  if (!facts.peer_subject.empty()) text("peer_certificate", facts.peer_subject);
  return *this;
}

JsonLine& JsonLine::members(std::string_view json) {
  if (line_.size() > 1) line_ += ", ";
  line_ += json;
  return *this;
}

JsonLine& JsonLine::number(std::string_view name, std::uint64_t value) {
  key(name);
  line_ += fmt::format("{}", value);
  return *this;
}

JsonLine& JsonLine::seconds(std::string_view name, double value) {
  key(name);
  line_ += fmt::format("{:.6f}", value);
  return *this;
}

JsonLine& JsonLine::flag(std::string_view name, bool value) {
  key(name);
  line_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::address(std::string_view name, const Endpoint& endpoint) {
  key(name);
  std::string object = "{";
  if (is_unix(endpoint)) {
    append_string(object, "path");
    object += ": ";
    append_string(object, unix_name(endpoint));
  } else {
    const tcp::endpoint ip = ip_endpoint(endpoint);
    append_string(object, "host");
    object += ": ";
    append_string(object, ip.address().to_string());
    object += fmt::format(", \"port\": {}", ip.port());
  }
  line_ += object + "}";
  return *this;
}

JsonLine& JsonLine::bytes(std::string_view name, std::string_view value) {
  text(std::string(name) + "_repr", python::bytes_repr(value));
  return text(std::string(name) + "_base64", base64(value));
}

}  // namespace tcpecho

// JsonLine: strings escaped so that any bytes make valid JSON, base64 of
// every length remainder, addresses as objects. Python's json module reads
// what the server writes in test_json_log.py; this checks the pieces.
#include <doctest/doctest.h>

#include <string>

#include "net/endpoints.hpp"
#include "output/json_line.hpp"

using tcpecho::JsonLine;

namespace {

// The line without its "time" field, which changes.
std::string fields(const JsonLine& line) {
  const std::string text = line.str();
  return "{" + text.substr(text.find("\"event\""));
}

}  // namespace

TEST_CASE("a JSON line escapes quotes, backslashes, control bytes and bytes past ASCII") {
  CHECK(fields(JsonLine("e").text("s", std::string("a\"b\\c\n\x01\x7f\xff", 9))) ==
        R"({"event": "e", "s": "a\"b\\c\u000a\u0001\u007f\u00ff"})");
  CHECK(fields(JsonLine("e").number("n", 42).flag("f", false).seconds("d", 0.5)) ==
        R"({"event": "e", "n": 42, "f": false, "d": 0.500000})");
}

TEST_CASE("bytes are told as Python's repr and as base64, whatever their length") {
  CHECK(fields(JsonLine("e").bytes("m", "")) ==
        R"({"event": "e", "m_repr": "b''", "m_base64": ""})");
  CHECK(fields(JsonLine("e").bytes("m", "f")).ends_with(R"("m_base64": "Zg=="})"));
  CHECK(fields(JsonLine("e").bytes("m", "fo")).ends_with(R"("m_base64": "Zm8="})"));
  CHECK(fields(JsonLine("e").bytes("m", "foo")).ends_with(R"("m_base64": "Zm9v"})"));
  CHECK(fields(JsonLine("e").bytes("m", std::string("\0\xff", 2)))
            .ends_with(R"("m_repr": "b'\\x00\\xff'", "m_base64": "AP8="})"));
}

TEST_CASE("addresses are objects: host and port, or a Unix socket's path") {
  const auto ip =
      tcpecho::Endpoint(tcpecho::tcp::endpoint(asio::ip::make_address("2001:db8::5"), 40000));
  CHECK(fields(JsonLine("e").address("a", ip)) ==
        R"({"event": "e", "a": {"host": "2001:db8::5", "port": 40000}})");
  CHECK(fields(JsonLine("e").address("a", tcpecho::unix_endpoint("/run/t.sock"))) ==
        R"({"event": "e", "a": {"path": "/run/t.sock"}})");
  CHECK(fields(JsonLine("e").address("a", tcpecho::unix_endpoint("@abstract"))) ==
        R"({"event": "e", "a": {"path": "@abstract"}})");
}

// The Python formatter against answers CPython itself gave (data/bytes_repr.txt,
// made by data/make_bytes_repr.py): every byte value, both quote choices,
// escapes, empty input, invalid UTF-8.
#include <doctest/doctest.h>
#include <sys/un.h>

#include <fstream>
#include <string>

#include "cli/cli_options.hpp"
#include "net/endpoints.hpp"
#include "output/python_format.hpp"

using tcpecho::Endpoint;
using tcpecho::tcp;
using tcpecho::unix_endpoint;
using tcpecho::python::bytes_repr;
using tcpecho::python::endpoint_repr;

namespace {

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

}  // namespace

TEST_CASE("bytes_repr matches CPython's repr() for every case in the golden file") {
  std::ifstream golden(TCPECHO_TEST_DATA "/bytes_repr.txt");
  REQUIRE(golden);
  std::string line;
  int cases = 0;
  while (std::getline(golden, line)) {
    const auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    const std::string input = from_hex(line.substr(0, tab));
    CAPTURE(line);
    CHECK(bytes_repr(input) == line.substr(tab + 1));
    ++cases;
  }
  CHECK(cases == 268);  // 256 single bytes and 12 longer cases
}

TEST_CASE("bytes_repr chooses its quote the way CPython does") {
  CHECK(bytes_repr("") == "b''");
  CHECK(bytes_repr("'") == R"(b"'")");
  CHECK(bytes_repr("\"") == R"(b'"')");
  CHECK(bytes_repr("'\"") == R"(b'\'"')");
  CHECK(bytes_repr(std::string("\0", 1)) == R"(b'\x00')");
}

TEST_CASE("endpoint_repr prints getsockname() tuples") {
  const auto v4 = asio::ip::make_address("127.0.0.1");
  CHECK(endpoint_repr(tcp::endpoint(v4, 3000)) == "('127.0.0.1', 3000)");
  CHECK(endpoint_repr(tcp::endpoint(asio::ip::make_address("0.0.0.0"), 0)) == "('0.0.0.0', 0)");
  CHECK(endpoint_repr(tcp::endpoint(asio::ip::make_address("::1"), 3000)) == "('::1', 3000, 0, 0)");
  CHECK(endpoint_repr(tcp::endpoint(asio::ip::make_address("::ffff:127.0.0.1"), 65535)) ==
        "('::ffff:127.0.0.1', 65535, 0, 0)");
  CHECK(endpoint_repr(tcp::endpoint(asio::ip::make_address("2001:db8::1"), 80)) ==
        "('2001:db8::1', 80, 0, 0)");
}

TEST_CASE("endpoint_repr prints AF_UNIX addresses as print() shows what Python returns") {
  CHECK(endpoint_repr(Endpoint(tcp::endpoint(asio::ip::make_address("::1"), 7))) ==
        "('::1', 7, 0, 0)");
  CHECK(endpoint_repr(Endpoint(unix_endpoint("/run/echo.sock"))) == "/run/echo.sock");
  CHECK(endpoint_repr(Endpoint(unix_endpoint("@echo"))) == R"(b'\x00echo')");
  // An unnamed socket: nothing after the family, and Python's ''.
  sockaddr_un unnamed{};
  unnamed.sun_family = AF_UNIX;
  CHECK(endpoint_repr(Endpoint(&unnamed, sizeof unnamed.sun_family)).empty());
}

TEST_CASE("unescape reads back every repr, and rejects malformed escapes") {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  for (const std::string& input : {all_bytes, std::string("it's"), std::string("\"'\\")}) {
    const std::string literal = bytes_repr(input);
    CHECK(tcpecho::unescape(std::string_view(literal).substr(2, literal.size() - 3)) == input);
  }
  CHECK(tcpecho::unescape(R"(Goodbye\r\n\x00\xFF)") == std::string("Goodbye\r\n\0\xff", 11));
  for (const char* bad : {"\\", "\\q", "\\x4", "\\xg0"}) CHECK_FALSE(tcpecho::unescape(bad));
}

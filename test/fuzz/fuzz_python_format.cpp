// libFuzzer target: bytes_repr() on arbitrary bytes must produce a valid
// Python bytes literal of printable ASCII that reads back as the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "python_format.hpp"

namespace {

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "bytes_repr invariant broken: %s\n", why);
  std::abort();
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  fail("\\x escape with a digit that is not lowercase hex");
}

// Reads a literal as Python would (for the escapes bytes_repr may emit).
std::string parse_bytes_literal(std::string_view literal) {
  if (literal.size() < 3 || literal[0] != 'b') fail("no b prefix");
  const char quote = literal[1];
  if ((quote != '\'' && quote != '"') || literal.back() != quote) fail("bad quotes");
  std::string bytes;
  for (std::size_t i = 2; i + 1 < literal.size(); ++i) {
    const char c = literal[i];
    if (c < 0x20 || c > 0x7e) fail("unprintable character in the literal");
    if (c == quote) fail("unescaped quote");
    if (c != '\\') {
      bytes += c;
      continue;
    }
    if (++i + 1 >= literal.size()) fail("dangling backslash");
    switch (literal[i]) {
      case 't':
        bytes += '\t';
        break;
      case 'n':
        bytes += '\n';
        break;
      case 'r':
        bytes += '\r';
        break;
      case '\\':
        bytes += '\\';
        break;
      case '\'':
        bytes += '\'';
        break;
      case '"':
        bytes += '"';
        break;
      case 'x': {
        if (i + 3 >= literal.size()) fail("short \\x escape");
        bytes += static_cast<char>(hex_digit(literal[i + 1]) * 16 + hex_digit(literal[i + 2]));
        i += 2;
        break;
      }
      default:
        fail("unknown escape");
    }
  }
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string literal = tcpecho::python::bytes_repr(input);
  if (parse_bytes_literal(literal) != input) fail("does not read back as the input");
  // CPython prefers single quotes unless that would need escaping and double would not.
  const bool single_inside = input.find('\'') != std::string_view::npos;
  const bool double_inside = input.find('"') != std::string_view::npos;
  if ((literal[1] == '"') != (single_inside && !double_inside)) fail("wrong quote choice");
  return 0;
}

// libFuzzer target: bytes_repr() on arbitrary bytes must produce a valid
// Python bytes literal of printable ASCII that reads back as the same bytes.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cli/cli_options.hpp"
#include "output/python_format.hpp"

namespace {

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "bytes_repr invariant broken: %s\n", why);
  std::abort();
}

// Reads a literal as Python would, with the CLI's unescape(), which knows
// every escape bytes_repr() writes.
std::string parse_bytes_literal(std::string_view literal) {
  if (literal.size() < 3 || literal[0] != 'b') fail("no b prefix");
  const char quote = literal[1];
  if ((quote != '\'' && quote != '"') || literal.back() != quote) fail("bad quotes");
  const std::string_view inside = literal.substr(2, literal.size() - 3);
  for (std::size_t i = 0; i < inside.size(); ++i) {
    if (inside[i] < 0x20 || inside[i] > 0x7e) fail("unprintable character in the literal");
    if (inside[i] == '\\') {
      if (i + 1 == inside.size()) fail("dangling backslash");
      if (inside[i + 1] == 'x' && i + 3 < inside.size() &&
          (std::isupper(inside[i + 2]) || std::isupper(inside[i + 3]))) {
        fail("\\x escape not in lowercase hex");
      }
      ++i;  // the escaped character may be the quote
    } else if (inside[i] == quote) {
      fail("unescaped quote");
    }
  }
  auto bytes = tcpecho::unescape(inside);
  if (!bytes) fail("an escape Python would not write");
  return *bytes;
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

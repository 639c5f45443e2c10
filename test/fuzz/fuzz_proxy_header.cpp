// libFuzzer target: proxy::parse() on arbitrary bytes, fed as a connection
// would deliver them. It must never read past what it is given, and must
// agree with itself: the same verdict for the bytes whole as for them read
// the way read_proxy_header() reads them (never more than `may_need` at a
// time), and a complete header no longer than the bytes and than its
// version's bound.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "proxy/proxy_header.hpp"

namespace {

[[noreturn]] void fail(const char* why) {
  std::fprintf(stderr, "proxy::parse invariant broken: %s\n", why);
  std::abort();
}

// As read_proxy_header() reads: each time at most what the parser may need.
tcpecho::proxy::Progress read_stepwise(std::string_view input, std::size_t step) {
  std::size_t have = 0;
  for (;;) {
    auto progress = tcpecho::proxy::parse(input.substr(0, have));
    if (progress.error || progress.complete()) return progress;
    if (progress.may_need == 0) fail("incomplete, yet needs nothing more");
    if (have == input.size()) return progress;
    have = std::min(input.size(), have + std::min(progress.may_need, step));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto whole = tcpecho::proxy::parse(input);
  if (whole.complete()) {
    if (whole.size > input.size()) fail("a header longer than its bytes");
    if (whole.size > tcpecho::proxy::v2_fixed + tcpecho::proxy::v2_max_length)
      fail("a header longer than any version allows");
  }
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    const auto stepwise = read_stepwise(input, step);
    if (stepwise.complete() && (!whole.complete() || stepwise.size != whole.size))
      fail("read in steps, a different header");
    if (stepwise.error && stepwise.error != whole.error) fail("read in steps, a different error");
  }
  return 0;
}

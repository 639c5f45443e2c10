// Reading a PROXY header: see proxy_read.hpp.
#include "proxy/proxy_read.hpp"

#include <string>

namespace tcpecho {

awaitable<ProxyHeaderRead> read_proxy_header(Link& link) {
  std::string bytes;
  for (;;) {
    auto progress = proxy::parse(bytes);
    if (progress.error) co_return ProxyHeaderRead{progress.error, std::nullopt};
    if (progress.complete()) {
      unread(link, asio::buffer(bytes) + progress.size);
      co_return ProxyHeaderRead{{}, std::move(progress.source)};
    }
    const auto room = asio::buffer(scratch_buffer(), progress.may_need);
    auto [error, n] = co_await read_some(link, room);
    bytes.append(static_cast<const char*>(room.data()), n);
    if (error == asio::error::eof) error = proxy::make_error_code(proxy::Error::truncated);
    if (error) co_return ProxyHeaderRead{error, std::nullopt};
  }
}

}  // namespace tcpecho

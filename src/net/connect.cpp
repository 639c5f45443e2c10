// connect_first(): see connect.hpp.
#include "net/connect.hpp"

#include <netinet/in.h>

namespace tcpecho {

awaitable<std::tuple<asio::error_code, Endpoint>> connect_first(
    Socket& socket, const std::vector<Endpoint>& endpoints) {
  auto [error, endpoint] = co_await asio::async_connect(socket, endpoints, nothrow_awaitable);
  const auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
  if (error == asio::error::operation_aborted && cancelled == asio::cancellation_type::none &&
      !socket.is_open() && !endpoints.empty()) {
    // Asio opens the socket for each address, and reports one it could not
    // open as an abort: opening it again here gives the system's reason.
    asio::error_code opened;
    socket.open(endpoints.front().protocol(), opened);
    if (opened) error = opened;
    socket.close(opened);
  }
  co_return std::tuple{error, endpoint};
}

namespace {

// Opens `socket` for `to` and binds it to `source`, its port left to connect().
asio::error_code bind_source(Socket& socket, const asio::ip::address& source, const Endpoint& to) {
  asio::error_code error;
  socket.close(error);
  socket.open(to.protocol(), error);
  if (error) return error;
  const int yes = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
  const asio::ip::tcp::endpoint from(source, 0);
  socket.bind(Endpoint(from.data(), from.size()), error);
  return error;
}

}  // namespace

awaitable<std::tuple<asio::error_code, Endpoint>> connect_from(
    Socket& socket, const asio::ip::address& source, const std::vector<Endpoint>& endpoints) {
  asio::error_code error = asio::error::address_family_not_supported;
  for (const auto& endpoint : endpoints) {
    const auto family = endpoint.protocol().family();
    if (family != (source.is_v6() ? AF_INET6 : AF_INET)) continue;
    error = bind_source(socket, source, endpoint);
    if (error) break;
    std::tie(error) = co_await socket.async_connect(endpoint, nothrow_awaitable);
    if (!error) co_return std::tuple{error, endpoint};
  }
  co_return std::tuple{error, Endpoint()};
}

}  // namespace tcpecho

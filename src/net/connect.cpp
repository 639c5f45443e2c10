// connect_first(): see connect.hpp.
#include "net/connect.hpp"

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

}  // namespace tcpecho

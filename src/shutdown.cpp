#include "shutdown.hpp"

#include <csignal>

namespace tcpecho {
namespace {

const char* signal_name(int signal_number) {
  return signal_number == SIGINT ? "SIGINT" : signal_number == SIGTERM ? "SIGTERM" : "signal";
}

}  // namespace

StopOnSignals::StopOnSignals(io_executor executor, std::vector<Server*> servers)
    : signals_(executor, SIGINT, SIGTERM), servers_(std::move(servers)) {
  co_spawn(executor, watch(), asio::detached);
}

void StopOnSignals::cancel() {
  asio::error_code ignored;
  signals_.cancel(ignored);
}

awaitable<void> StopOnSignals::watch() {
  auto [error, first] = co_await signals_.async_wait(nothrow_awaitable);
  if (error) co_return;  // cancelled: the server stopped by itself
  tell_servers(&Server::shutdown, signal_name(first));

  auto [again_error, second] = co_await signals_.async_wait(nothrow_awaitable);
  if (again_error) co_return;
  forced_by_ = second;
  tell_servers(&Server::abort, signal_name(second));
}

void StopOnSignals::tell_servers(void (Server::*what)(std::string_view),
                                 std::string_view argument) {
  for (Server* server : servers_) {
    asio::post(server->executor(), [server, what, argument] { (server->*what)(argument); });
  }
}

}  // namespace tcpecho

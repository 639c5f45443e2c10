#include "shutdown.hpp"

#include <csignal>

namespace tcpecho {
namespace {

const char* signal_name(int signal_number) {
  return signal_number == SIGINT ? "SIGINT" : signal_number == SIGTERM ? "SIGTERM" : "signal";
}

}  // namespace

StopOnSignals::StopOnSignals(asio::any_io_executor executor, Server& server)
    : signals_(executor, SIGINT, SIGTERM), server_(server) {
  co_spawn(executor, watch(), asio::detached);
}

void StopOnSignals::cancel() {
  asio::error_code ignored;
  signals_.cancel(ignored);
}

awaitable<void> StopOnSignals::watch() {
  auto [error, first] = co_await signals_.async_wait(nothrow_awaitable);
  if (error) co_return;  // cancelled: the server stopped by itself
  server_.shutdown(signal_name(first));

  auto [again_error, second] = co_await signals_.async_wait(nothrow_awaitable);
  if (again_error) co_return;
  forced_by_ = second;
  server_.abort();
}

}  // namespace tcpecho

// What SIGINT and SIGTERM do: see shutdown.hpp.
#include "server/shutdown.hpp"

#include <csignal>
#include <exception>

namespace tcpecho {
namespace {

const char* signal_name(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal";
  }
}

}  // namespace

StopOnSignals::StopOnSignals(io_executor executor, Stop drain, Stop cut)
    : signals_(executor, SIGINT, SIGTERM, SIGHUP), drain_(std::move(drain)), cut_(std::move(cut)) {
  co_spawn(executor, watch(), [](std::exception_ptr failure) {
    // Only a bug gets here; the process would no longer stop on a signal.
    if (failure) std::terminate();
  });
}

void StopOnSignals::cancel() {
  asio::error_code ignored;
  signals_.cancel(ignored);
}

awaitable<void> StopOnSignals::watch() {
  auto [error, first] = co_await signals_.async_wait(nothrow_awaitable);
  if (error) co_return;  // cancelled: the server stopped by itself
  drain_(signal_name(first));

  auto [again_error, second] = co_await signals_.async_wait(nothrow_awaitable);
  if (again_error) co_return;
  forced_by_ = second;
  cut_(signal_name(second));
}

}  // namespace tcpecho

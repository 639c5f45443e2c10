// What SIGINT, SIGTERM and SIGHUP do: see stop_on_signals.hpp.
#include "stop_on_signals.hpp"

#include <csignal>
#include <exception>

namespace tcpecho {

StopOnSignals::StopOnSignals(io_executor executor, Stop drain, Stop cut)
    : signals_(executor, SIGINT, SIGTERM, SIGHUP), drain_(std::move(drain)), cut_(std::move(cut)) {
  co_spawn(executor, watch(), [](std::exception_ptr failure) {
    // Only a bug gets here; the process would no longer stop on a signal.
    if (failure) std::terminate();
  });
}

void StopOnSignals::cancel() {
  cancelled_ = true;
  asio::error_code ignored;
  signals_.cancel(ignored);
}

// A signal whose completion was already queued when cancel() came is not
// acted on: what it would stop has finished, and a wait for a second one
// would never end.
awaitable<void> StopOnSignals::watch() {
  auto [error, first] = co_await signals_.async_wait(nothrow_awaitable);
  if (error || cancelled_) co_return;
  drain_(first);

  auto [again_error, second] = co_await signals_.async_wait(nothrow_awaitable);
  if (again_error || cancelled_) co_return;
  forced_by_ = second;
  cut_(second);
}

}  // namespace tcpecho

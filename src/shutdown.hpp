// What Ctrl+C (SIGINT) and SIGTERM do to a running server.
//
// The first signal asks the server to drain: stop accepting, close the
// connections that owe nothing, give exchanges in flight the grace period.
// A second signal cuts them short. Nothing calls io_context::stop(): the
// process ends because every coroutine has finished.
#pragma once

#include <optional>

#include "asio_compat.hpp"
#include "server.hpp"

namespace tcpecho {

class StopOnSignals {
 public:
  StopOnSignals(asio::any_io_executor executor, Server& server);

  // The server has finished: stop listening for signals.
  void cancel();

  // Set when a second signal forced the stop.
  std::optional<int> forced_by_signal() const { return forced_by_; }

 private:
  awaitable<void> watch();

  asio::signal_set signals_;
  Server& server_;
  std::optional<int> forced_by_;
};

}  // namespace tcpecho

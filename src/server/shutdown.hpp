// What Ctrl+C (SIGINT), SIGTERM and SIGHUP do to a running server. SIGHUP
// (the terminal was closed) is a stop like the others, so that the server
// still drains and removes its Unix socket file.
//
// The first signal asks the server to drain: stop accepting, close the
// connections that owe nothing, give exchanges in flight the grace period.
// A second signal cuts them short. Nothing calls io_context::stop(): the
// process ends because every coroutine has finished.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "asio_compat.hpp"

namespace tcpecho {

class StopOnSignals {
 public:
  using Stop = std::function<void(std::string_view signal_name)>;

  // Watches on `executor`: the first signal calls `drain`, the second `cut`,
  // both on that executor.
  StopOnSignals(io_executor executor, Stop drain, Stop cut);

  // The servers have finished: stop listening for signals. Call it on the
  // watching executor.
  void cancel();

  // Set when a second signal forced the stop.
  std::optional<int> forced_by_signal() const { return forced_by_; }

 private:
  awaitable<void> watch();

  asio::signal_set signals_;
  Stop drain_;
  Stop cut_;
  std::optional<int> forced_by_;
};

}  // namespace tcpecho

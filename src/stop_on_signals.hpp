// What Ctrl+C (SIGINT), SIGTERM and SIGHUP do to a running server or bench.
// SIGHUP (the terminal was closed) is a stop like the others, so that a
// server still drains and removes its Unix socket file.
//
// The first signal asks for a drain: a server stops accepting, closes the
// connections that owe nothing and gives exchanges in flight the grace
// period; bench ends its run and reports it. A second signal cuts them short.
// Nothing calls io_context::stop(): the process ends because every coroutine
// has finished.
#pragma once

#include <functional>
#include <optional>

#include "asio_compat.hpp"

namespace tcpecho {

class StopOnSignals {
 public:
  using Stop = std::function<void(int signal_number)>;

  // Watches on `executor`: the first signal calls `drain`, the second `cut`,
  // both on that executor.
  StopOnSignals(io_executor executor, Stop drain, Stop cut);

  // What it watches has finished: stop listening for signals, even if one
  // has just come and is still on its way. Call it on the watching executor.
  void cancel();

  // Set when a second signal forced the stop.
  std::optional<int> forced_by_signal() const { return forced_by_; }

 private:
  awaitable<void> watch();

  asio::signal_set signals_;
  Stop drain_;
  Stop cut_;
  bool cancelled_ = false;
  std::optional<int> forced_by_;
};

}  // namespace tcpecho

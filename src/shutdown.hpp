// What Ctrl+C (SIGINT) and SIGTERM do to a running server.
//
// The first signal asks the server to drain: stop accepting, close the
// connections that owe nothing, give exchanges in flight the grace period.
// A second signal cuts them short. Nothing calls io_context::stop(): the
// process ends because every coroutine has finished.
#pragma once

#include <optional>
#include <vector>

#include "asio_compat.hpp"
#include "server.hpp"

namespace tcpecho {

class StopOnSignals {
 public:
  // Watches on `executor`; each server is told on its own executor, so a
  // server with several threads needs no locks.
  StopOnSignals(io_executor executor, std::vector<Server*> servers);

  // The servers have finished: stop listening for signals. Call it on the
  // watching executor.
  void cancel();

  // Set when a second signal forced the stop.
  std::optional<int> forced_by_signal() const { return forced_by_; }

 private:
  awaitable<void> watch();

  void tell_servers(void (Server::*what)(std::string_view), std::string_view argument);

  asio::signal_set signals_;
  std::vector<Server*> servers_;
  std::optional<int> forced_by_;
};

}  // namespace tcpecho

// `tcpecho serve` as a whole: one Server per --threads, each on a thread and
// io_context of its own, so that a connection lives and dies on the thread
// that accepted it and needs no locks. The group owns the threads, shares
// the connection limit among the servers, turns signals into a drain, and
// makes sure that a failure on any thread stops them all instead of leaving
// the process hanging.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exit_status.hpp"
#include "net/stream.hpp"
#include "output/output.hpp"
#include "server/server.hpp"

namespace tcpecho {

class ServerGroup {
 public:
  // Listens on every address, on every thread's socket, before anything
  // runs. Throws StartupError.
  ServerGroup(const ServerConfig& config, Output& out);

  std::vector<Endpoint> local_endpoints() const;
  io_executor executor(std::size_t thread) const { return servers_.at(thread)->executor(); }

  // Serves on every thread until SIGINT/SIGTERM/SIGHUP (or shutdown()) and the drain
  // that follows; returns the exit status.
  int run();

  // From any thread: every server drains, or stops at once.
  void shutdown(std::string_view reason);
  void abort(std::string_view reason);

 private:
  // A server per thread, listening; then TLS and /metrics.
  void start();
  void run_thread(std::size_t thread);
  void fail(std::size_t thread, const std::exception_ptr& failure);
  void on_server_finished();

  ServerConfig config_;
  Output& out_;
  ServerShared shared_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  // After the io_contexts, so destroyed before them: a server's sockets and
  // timers need their io_context. (run() returns once every server has
  // drained, so no handler left behind refers to one.)
  std::vector<std::unique_ptr<Server>> servers_;
  std::atomic<std::size_t> running_{0};
  std::atomic<bool> failed_{false};
  std::function<void()> all_finished_;
};

}  // namespace tcpecho

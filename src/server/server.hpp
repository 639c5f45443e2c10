// `tcpecho serve` on one thread: the seed's server, concurrent, and an RFC
// 862 echo server.
//
// One accept loop per listening socket. A new connection is served at once
// by one coroutine on the thread's executor, which reads the message, prints
// it, writes the reply and closes, exactly like the blocking Python server,
// while any number of others do the same. A connection with nothing to read
// waits with a plain callback instead, so a quiet one costs no coroutine; an
// echo connection goes back to such a wait whenever it has echoed all there
// was, and a short chunk that the kernel takes whole is echoed from that
// callback, with no coroutine at all. ServerGroup runs one Server per thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "config/server_config.hpp"
#include "listen/connection_limit.hpp"
#include "net/socket_io.hpp"
#include "net/stream.hpp"
#include "output/output.hpp"
#include "server/connections.hpp"
#include "tls/tls.hpp"
#include "transport/link.hpp"

namespace tcpecho {

// What the servers of one ServerGroup, each on its own thread, share.
struct ServerShared {
  ServerShared(const ServerConfig& config, std::size_t servers)
      : limit(config.max_connections), servers_to_count(servers) {}

  ConnectionLimit limit;
  // Connections from accept until their reply is out (echo: until they end),
  // on every thread: "Waiting for a new connection" when it falls to zero.
  std::atomic<std::size_t> busy{0};
  // The shutdown line: each server adds the exchanges it leaves in flight,
  // and the last one to add prints the sum.
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::size_t> servers_to_count;
  // What a failure of a server's own machinery does: stop every server.
  std::function<void(std::string_view reason)> stop_all;
  // With --tls: the certificate and settings, made once the addresses
  // listened on are known (a temporary certificate names them).
  std::unique_ptr<TlsServer> tls;
  void start_tls(const ServerConfig& config, const std::vector<Endpoint>& endpoints) {
    if (config.tls) tls = make_tls_server(*config.tls, endpoints);
  }
};

class Server {
 public:
  // A server alone: resolves the host and listens on every address it names,
  // so that a port already in use is reported before anything runs. Throws
  // StartupError.
  Server(io_executor executor, ServerConfig config, Output& out);

  // One of a ServerGroup's: serves `acceptors`; only the one that `announces`
  // prints the "Listening at" lines.
  Server(io_executor executor, const ServerConfig& config, Output& out, ServerShared& shared,
         std::vector<Acceptor> acceptors, bool announces);

  io_executor executor() const { return executor_; }

  // Where it listens, with the real port when it was asked for port 0.
  std::vector<Endpoint> local_endpoints() const;
  // The listening sockets themselves, for other threads to share.
  std::vector<int> listening_descriptors();

  // Serves until shutdown() and the drain that follows it are over.
  awaitable<void> run();

  // Stops accepting, closes connections that owe nothing, and gives exchanges
  // in flight `grace` to finish before closing them too.
  void shutdown(std::string_view reason);
  // Closes everything at once.
  void abort(std::string_view reason);

  // False once any of the server's own coroutines failed.
  bool healthy() const { return healthy_; }

 private:
  struct Listener {
    Acceptor acceptor;
    Endpoint endpoint;  // where it listens, kept to spare getsockname() calls
    asio::steady_timer retry_timer;
    bool failing = false;  // inside an episode of accept errors
  };
  class Busy;
  struct Session;

  Server(io_executor executor, const ServerConfig& config, Output& out,
         std::unique_ptr<ServerShared> own, std::vector<Acceptor> acceptors);
  void add_listener(Acceptor acceptor);
  awaitable<void> accept_clients(Listener& listener);
  awaitable<void> back_off(Listener& listener, const asio::error_code& error,
                           std::chrono::milliseconds& delay);
  void welcome(const Listener& listener, Socket socket, const Endpoint& peer, Permit permit);
  void serve(std::unique_ptr<Session> session);
  awaitable<void> secure(std::unique_ptr<Session> session);
  void wait_for_bytes(std::unique_ptr<Session> session);
  awaitable<void> exchange(std::unique_ptr<Session> session);
  awaitable<void> read_rest(Link& link, std::string& message, std::size_t& received,
                            asio::error_code& error);
  awaitable<void> linger(Session& session);
  awaitable<asio::error_code> send_reply_rest(Link& link, std::size_t sent);
  awaitable<void> echo(std::unique_ptr<Session> session);
  std::size_t take_arrived(Session& session);
  bool echo_at_once(Session& session);
  void read_next(std::unique_ptr<Session> session);
  void count_echoed(Session& session, std::size_t written);
  awaitable<void> enforce_deadlines();
  void announce_waiting();
  // A per-connection line of the transcript; --quiet drops them.
  template <typename... Args>
  void log(fmt::format_string<Args...> format, Args&&... args) {
    if (logging()) out_.print(format, std::forward<Args>(args)...);
  }
  // Whether log() prints: a line that costs work to build (a Python repr)
  // asks first.
  bool logging() const { return !config_.quiet; }
  std::string why_closed(const Connection& connection, const asio::error_code& error) const;
  // Completion handler for co_spawn: a coroutine's failure is logged instead
  // of vanishing, and a failure of the server's own machinery stops it.
  // `what` is a string literal: nothing is allocated for it per connection.
  struct FailureReport {
    Server* server;
    const char* what;
    bool stops_server;
    void operator()(const std::exception_ptr& failure) const;
  };
  FailureReport report_failure(const char* what, bool stops_server) {
    return {this, what, stops_server};
  }

  io_executor executor_;
  ServerConfig config_;
  Output& out_;
  std::unique_ptr<ServerShared> own_shared_;  // a server alone shares with nobody
  ServerShared& shared_;
  bool announces_;
  std::list<Listener> listeners_;  // a list: accept loops hold references into it
  Connections connections_;
  ScratchBuffer scratch_;  // what this thread's connections have just read
  // When an echo connection's next read starts: see read_next().
  std::uint64_t reads_done_ = 0;  // echo reads completed on this thread
  int lone_posts_ = 0;            // posted reads in a row that no other read ran beside
  bool stopping_ = false;
  bool running_ = true;
  bool healthy_ = true;
  asio::steady_timer deadline_timer_;
  asio::steady_timer grace_timer_;
  asio::steady_timer stop_requested_;
};

}  // namespace tcpecho

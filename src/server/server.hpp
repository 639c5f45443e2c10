// `tcpecho serve` on one thread: the seed's server, concurrent, and an RFC
// 862 echo server.
//
// One accept loop per listening socket (server.cpp). Each connection it
// accepts is served by one coroutine, its mode's (exchange() in
// reply_mode.cpp, echo() in echo_mode.cpp; started by serve() in serve.cpp),
// which reads top to bottom like the blocking Python server: the TLS
// handshake if any, then the mode, then the close; any number run side by
// side on the thread's executor. What happens
// is reported as events (server_events.hpp) to the Transcript. How bytes
// move, fast and fairly, is the I/O layer's (transport/link.hpp).
// ServerGroup runs one Server per thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "config/server_config.hpp"
#include "listen/accept.hpp"
#include "listen/connection_limit.hpp"
#include "listen/listen.hpp"
#include "metrics/exposition.hpp"
#include "metrics/metrics_sink.hpp"
#include "net/stream.hpp"
#include "output/output.hpp"
#include "server/admission.hpp"
#include "server/connections.hpp"
#include "server/refusal_log.hpp"
#include "server/server_events.hpp"
#include "server/transcript.hpp"
#include "tls/tls.hpp"

namespace tcpecho {

// What the servers of one ServerGroup, each on its own thread, share.
struct ServerShared {
  ServerShared(const ServerConfig& config, std::size_t servers)
      : limit(config.max_connections), servers_to_count(servers), admission(config) {}

  ConnectionLimit limit;
  // Connections from accept until their reply is out (echo: until they end),
  // on every thread: "Waiting for a new connection" when it falls to zero.
  std::atomic<std::size_t> busy{0};
  // The shutdown line: each server adds the exchanges it leaves in flight,
  // and the last one to add prints the sum.
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::size_t> servers_to_count;
  Admission admission;   // --deny, --allow, --max-per-client
  RefusalLog refusals;   // how often the log tells of a refusal
  // What a failure of a server's own machinery does: stop every server.
  std::function<void(std::string_view reason)> stop_all;
  // With --tls: the certificate and settings, made once the addresses
  // listened on are known (a temporary certificate names them).
  std::unique_ptr<TlsServer> tls;
  // With --metrics: /metrics, summing every server's Tally, whose
  // listening sockets are at `endpoints`.
  std::unique_ptr<MetricsExposer> metrics;
  void start_metrics(const ServerConfig& config, std::vector<const Tally*> tallies,
                     const std::vector<Endpoint>& endpoints);
  void start_tls(const ServerConfig& config, const std::vector<Endpoint>& endpoints) {
    const auto listeners = config.every_listener();
    if (std::any_of(listeners.begin(), listeners.end(), [](const auto& l) { return l.tls; }))
      tls = make_tls_server(config.tls.value_or(TlsServerOptions{}), endpoints);
  }
};

class Server {
 public:
  // A server alone: resolves the host and listens on every address it names,
  // so that a port already in use is reported before anything runs. Throws
  // StartupError.
  Server(io_executor executor, ServerConfig config, Output& out);

  // One of a ServerGroup's: serves `sockets`; only the one that `announces`
  // prints the "Listening at" lines.
  Server(io_executor executor, const ServerConfig& config, Output& out, ServerShared& shared,
         std::vector<ListeningSocket> sockets, bool announces);

  io_executor executor() const { return executor_; }

  // Where it listens, with the real port when it was asked for port 0.
  std::vector<Endpoint> local_endpoints() const;
  // Another thread's sockets beside these, listener by listener.
  std::vector<ListeningSocket> listen_again(io_executor executor);

  // Serves until shutdown() and the drain that follows it are over.
  awaitable<void> run();

  // Stops accepting, closes connections that owe nothing, and gives exchanges
  // in flight `grace` to finish before closing them too.
  void shutdown(std::string_view reason);
  // Closes everything at once.
  void abort(std::string_view reason);

  // Its counts for --metrics; none without.
  const Tally* tally() const { return metrics_ ? &metrics_->tally() : nullptr; }

  // The files of its Unix sockets, at shutdown, or when the start fails
  // after it listened.
  void remove_socket_files();

  // False once any of the server's own coroutines failed.
  bool healthy() const { return healthy_; }

 private:
  struct Listener {
    Acceptor acceptor;
    const ListenerConfig& settings;  // its mode, TLS, PROXY protocol
    std::size_t position;            // in listeners_, as the Listening events came
    Endpoint endpoint;  // where it listens, kept to spare getsockname() calls
    // --deny, --allow, --max-per-client at accept, where the socket's peer
    // is the client (not behind a proxy); none without them.
    Screen screen;
    asio::steady_timer retry_timer;
    bool failing = false;  // inside an episode of accept errors
  };

  Server(io_executor executor, const ServerConfig& config, Output& out,
         std::unique_ptr<ServerShared> own, std::vector<ListeningSocket> sockets);
  void add_listener(ListeningSocket socket);
  awaitable<void> accept_clients(Listener& listener);
  awaitable<void> back_off(Listener& listener, const asio::error_code& error,
                           std::chrono::milliseconds& delay);
  void serve(Socket socket, const Endpoint& peer, Permit permit, const Listener& listener);
  bool admit(const PeerAddress& client);
  awaitable<bool> begin(Connection& connection, const Listener& listener);
  awaitable<bool> receive_proxy_header(Connection& connection);
  void welcome(Connection& connection, const Listener& listener);
  awaitable<bool> secure(Connection& connection, const Listener& listener);
  awaitable<void> exchange(Connection connection, const Listener& listener);
  awaitable<void> linger(Connection& connection);
  awaitable<void> echo(Connection connection, const Listener& listener);
  awaitable<void> enforce_deadlines();
  // Says what happened, to the log (the transcript, or JSON lines) and, with
  // --metrics, to the counts. (The event is put in its variant here, not
  // converted at the call: clang 14 crashes converting it inside a coroutine.)
  template <typename Event>
  void report(const Event& event) {
    const ServerEvent happened(std::in_place_type<Event>, event);
    log_->on(happened);
    if (metrics_) metrics_->on(happened);
  }
  // Completion handlers for co_spawn, so that no coroutine's failure
  // vanishes. A connection's is said and ends that connection alone (every
  // connection's coroutine holds one: a pointer, no more); one of the
  // server's own machinery (`part`, a string literal) is said and stops it.
  struct ConnectionFailure {
    Server* server;
    void operator()(const std::exception_ptr& failure) const;
  };
  struct MachineryFailure {
    Server* server;
    const char* part;
    void operator()(const std::exception_ptr& failure) const;
  };

  io_executor executor_;
  ServerConfig config_;
  const std::vector<ListenerConfig> listener_configs_ = config_.every_listener();
  std::unique_ptr<ServerSink> log_;
  std::unique_ptr<MetricsSink> metrics_;
  std::unique_ptr<ServerShared> own_shared_;  // a server alone shares with nobody
  ServerShared& shared_;
  bool announces_;
  std::list<Listener> listeners_;  // a list: accept loops hold references into it
  Connections connections_;
  bool stopping_ = false;
  bool running_ = true;
  bool healthy_ = true;
  asio::steady_timer deadline_timer_;
  asio::steady_timer grace_timer_;
  asio::steady_timer stop_requested_;
};

}  // namespace tcpecho

// `tcpecho serve`: the seed's server, concurrent, and an RFC 862 echo server.
//
// One accept loop per listening address. A new connection waits for its
// first byte with a plain callback (idle connections cost no coroutine), then
// one coroutine on the shared executor reads the message, prints it, writes
// the reply and closes, exactly like the blocking Python server, while any
// number of others do the same.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "asio_compat.hpp"
#include "connections.hpp"
#include "exit_status.hpp"
#include "output.hpp"

namespace tcpecho {

using namespace std::chrono_literals;

struct ServerConfig {
  enum class Mode {
    reply,  // the seed's exchange: read the message, answer with the reply
    echo,   // RFC 862: send back everything received until the client closes
  };
  Mode mode = Mode::reply;
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;        // 0: any free port
  std::size_t message_length = 17;  // len(b"Greetings, server")
  std::string reply = "Goodbye, client!";
  // Reply mode: from accept to close. Echo mode: without progress. 0: none.
  std::chrono::milliseconds timeout = 10s;
  std::size_t max_connections = 10'000;
  std::chrono::milliseconds grace = 3s;  // for exchanges in flight at shutdown
  // Listening sockets handed over by systemd; when present, host and port
  // are not used.
  std::vector<int> inherited_sockets;
  std::size_t threads = 1;  // each with its own io_context, socket and connections
  bool quiet = false;       // no per-connection lines
  bool verbose = false;     // echo mode: a line per chunk
};

class Server {
 public:
  // Resolves the host and listens on every address it names, so that a port
  // already in use is reported before anything runs. Throws StartupError.
  Server(io_executor executor, ServerConfig config, Output& out);

  // Another server for `first`'s addresses, for another thread: its own
  // socket on the same port (SO_REUSEPORT), its own connections, nothing
  // shared but the count behind "Waiting for a new connection". Only the first
  // prints the start and shutdown lines.
  Server(io_executor executor, Server& first);

  io_executor executor() const { return executor_; }

  // Where it listens, with the real port when it was asked for port 0.
  std::vector<tcp::endpoint> local_endpoints() const;

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
    tcp::acceptor acceptor;
    tcp::endpoint endpoint;  // where it listens, kept to spare getsockname() calls
    asio::steady_timer retry_timer;
    bool failing = false;  // inside an episode of accept errors
  };
  class ExchangeInProgress;
  struct Session;

  Server(io_executor executor, ServerConfig config, Output& out, Server* first);
  void add_listener(tcp::acceptor acceptor);
  awaitable<void> accept_clients(Listener& listener);
  awaitable<void> back_off(Listener& listener, const asio::error_code& error,
                           std::chrono::milliseconds& delay);
  void welcome(const Listener& listener, tcp::socket socket, const tcp::endpoint& peer,
               Permit permit);
  awaitable<void> exchange(std::unique_ptr<Session> session);
  awaitable<void> echo(std::unique_ptr<Session> session);
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
  auto report_failure(const char* what, bool stops_server);

  io_executor executor_;
  ServerConfig config_;
  Output& out_;
  bool announces_;
  std::atomic<std::size_t> own_exchanges_in_progress_{0};
  std::atomic<std::size_t>& exchanges_in_progress_;
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

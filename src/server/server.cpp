// Server's half that listens and stops: the accept loops and their
// back-off, the deadline watchdog, and shutdown (where Ctrl+C lands, through
// ServerGroup). What happens to a connection once accepted is serve()'s, in
// serve.cpp.
#include "server/server.hpp"

#include <algorithm>

#include "exit_status.hpp"
#include "failure.hpp"
#include "listen/accept.hpp"
#include "listen/listen.hpp"
#include "listen/listen_unix.hpp"
#include "net/endpoints.hpp"
#include "output/python_format.hpp"  // an Endpoint in a message
#include "server/json_log.hpp"

namespace tcpecho {
namespace {

std::unique_ptr<ServerSink> log_for(Output& out, const ServerConfig& config) {
  if (config.log_format == LogFormat::json) {
    return std::make_unique<JsonLog>(out, config);
  }
  return std::make_unique<Transcript>(out, config);
}

// How /metrics names a listening socket: "127.0.0.1:3000", "[::1]:3001",
// "unix:/run/tcpecho.sock".
std::string listener_label(const Endpoint& endpoint) {
  if (is_unix(endpoint)) return "unix:" + unix_name(endpoint);
  const auto ip = ip_endpoint(endpoint);
  const bool ipv6 = ip.address().is_v6();
  return fmt::format("{}{}{}:{}", ipv6 ? "[" : "", ip.address().to_string(), ipv6 ? "]" : "",
                     ip.port());
}

}  // namespace

void ServerShared::start_metrics(const ServerConfig& config, std::vector<const Tally*> tallies,
                                 const std::vector<Endpoint>& endpoints) {
  if (!config.metrics) return;
  std::vector<std::string> labels;
  for (const auto& endpoint : endpoints) labels.push_back(listener_label(endpoint));
  metrics = expose_metrics(*config.metrics, std::move(tallies), std::move(labels));
}

Server::Server(io_executor executor, ServerConfig config, Output& out)
    : Server(executor, config, out, std::make_unique<ServerShared>(config, 1),
             listen(executor, config)) {}

Server::Server(io_executor executor, const ServerConfig& config, Output& out,
               std::unique_ptr<ServerShared> own, std::vector<ListeningSocket> sockets)
    : Server(executor, config, out, *own, std::move(sockets), true) {
  own_shared_ = std::move(own);
  try {
    own_shared_->start_tls(config, local_endpoints());
    own_shared_->start_metrics(config, {tally()}, local_endpoints());
  } catch (const StartupError&) {
    remove_socket_files();
    throw;
  }
  shared_.stop_all = [this](std::string_view reason) { shutdown(reason); };
}

Server::Server(io_executor executor, const ServerConfig& config, Output& out, ServerShared& shared,
               std::vector<ListeningSocket> sockets, bool announces)
    : executor_(executor),
      config_(config),
      log_(log_for(out, config_)),
      shared_(shared),
      announces_(announces),
      connections_(
          executor, config_.timeout, shared_.busy,
          [this] {
            if (!stopping_) report(events::Waiting{});
          },
          [this](const Connection& connection) { report(events::Closed{connection}); }),
      deadline_timer_(executor),
      grace_timer_(executor),
      stop_requested_(executor, asio::steady_timer::time_point::max()) {
  for (auto& socket : sockets) add_listener(std::move(socket));
  if (config_.metrics)
    metrics_ = std::make_unique<MetricsSink>(listeners_.size(), config_.reply.size());
  // A slot freed on any thread wakes this server's accept loops, on its own.
  shared_.limit.on_room([this] { asio::post(executor_, [this] { connections_.notify_all(); }); });
}

std::vector<Endpoint> Server::local_endpoints() const {
  std::vector<Endpoint> endpoints;
  for (const auto& listener : listeners_) endpoints.push_back(listener.endpoint);
  return endpoints;
}

std::vector<ListeningSocket> Server::listen_again(io_executor executor) {
  std::vector<ListeningSocket> sockets;
  for (auto& listener : listeners_) {
    sockets.push_back(
        {tcpecho::listen_again(executor, listener.settings, listener.acceptor, listener.endpoint),
         static_cast<std::size_t>(&listener.settings - listener_configs_.data())});
  }
  return sockets;
}

void Server::add_listener(ListeningSocket socket) {
  const auto endpoint = socket.acceptor.local_endpoint();
  const ListenerConfig& settings = listener_configs_.at(socket.listener);
  const bool judges = !config_.allow.empty() || !config_.deny.empty() || config_.max_per_client;
  Screen screen;
  if (judges && !settings.proxy_protocol) {
    screen = [this](const Endpoint& peer) { return admit(PeerAddress(peer)); };
  }
  listeners_.emplace_back(Listener{std::move(socket.acceptor), settings, listeners_.size(),
                                   endpoint, std::move(screen), asio::steady_timer(executor_)});
}

void Server::ConnectionFailure::operator()(const std::exception_ptr& failure) const {
  if (failure) server->report(events::Failed{"connection", failure_text(failure)});
}

void Server::MachineryFailure::operator()(const std::exception_ptr& failure) const {
  if (!failure) return;
  server->report(events::Failed{part, failure_text(failure)});
  server->healthy_ = false;
  server->shared_.stop_all("internal error");
}

awaitable<void> Server::run() {
  if (announces_) {
    if (shared_.tls) report(events::TlsReady{shared_.tls->announcement()});
    for (const auto& listener : listeners_)
      report(events::Listening{listener.endpoint, listener.settings});
    if (shared_.metrics)
      report(events::MetricsReady{config_.metrics->host, shared_.metrics->port()});
    report(events::Waiting{});
  }
  for (auto& listener : listeners_) {
    co_spawn(executor_, accept_clients(listener), MachineryFailure{this, "accept loop"});
  }
  if (config_.timeout.count() > 0) {
    co_spawn(executor_, enforce_deadlines(), MachineryFailure{this, "deadline watchdog"});
  }

  while (!stopping_) co_await stop_requested_.async_wait(nothrow_awaitable);
  co_await connections_.until_empty();

  running_ = false;
  grace_timer_.cancel();
  deadline_timer_.cancel();
}

void Server::remove_socket_files() {
  for (const auto& listener : listeners_) remove_unix_socket_file(listener.settings.unix_path);
}

void Server::shutdown(std::string_view reason) {
  if (stopping_) return;
  stopping_ = true;
  stop_requested_.cancel();

  // With several threads, the last to count its exchanges speaks for all.
  shared_.in_flight += connections_.cut_idle(Cut::shutting_down);
  if (--shared_.servers_to_count == 0)
    report(events::ShuttingDown{reason, shared_.in_flight, config_.grace});

  // The path first: a client that finds no file is told at once that
  // nobody listens, rather than queued behind a socket about to close.
  // (A socket from systemd is systemd's to remove.)
  if (announces_) remove_socket_files();
  for (auto& listener : listeners_) {
    asio::error_code ignored;
    listener.acceptor.close(ignored);
    listener.retry_timer.cancel();
  }
  connections_.stop_admitting();

  grace_timer_.expires_after(config_.grace);
  grace_timer_.async_wait([this](asio::error_code error) {
    if (!error) connections_.cut_all(Cut::shutting_down);
  });
}

void Server::abort(std::string_view reason) {
  shutdown(reason);
  connections_.cut_all(Cut::shutting_down);
}

awaitable<void> Server::accept_clients(Listener& listener) {
  auto delay = 10ms;
  for (;;) {
    // Past the limit, clients wait in the kernel's backlog.
    if (!co_await connections_.wait_for_room(shared_.limit)) co_return;
    std::optional<Permit> permit = shared_.limit.try_take();
    if (!permit) continue;  // another listener or thread took the last slot
    auto [error, socket, peer] = try_accept(listener.acceptor, listener.screen);
    if (error == asio::error::would_block) {
      permit.reset();  // nobody to accept: hold no slot while waiting for somebody
      std::tie(error) =
          co_await listener.acceptor.async_wait(Acceptor::wait_read, nothrow_awaitable);
      if (!error) continue;
    }
    if (stopping_) co_return;
    if (error && error != asio::error::connection_refused) {  // refused: said by the screen
      co_await back_off(listener, error, delay);
      continue;
    }
    if (!error) {
      if (listener.failing) {
        listener.failing = false;
        delay = 10ms;
        report(events::AcceptResumed{listener.endpoint});
      }
      serve(std::move(socket), peer, std::move(*permit), listener);
    }
    // The connections already open go first, then the next in the queue: a
    // flood of new ones cannot hold up those being served. (After serve():
    // a connection taken is already one the server answers for.)
    co_await asio::post(executor_, use_awaitable);
  }
}

// Out of descriptors or memory, accept() fails at once for as long as the
// condition lasts. Retrying at once would spin a core; giving up would leave
// a server that no longer serves. So: say it once, wait, retry, wait longer.
awaitable<void> Server::back_off(Listener& listener, const asio::error_code& error,
                                 std::chrono::milliseconds& delay) {
  report(events::AcceptFailed{listener.endpoint, error, !listener.failing});
  listener.failing = true;
  listener.retry_timer.expires_after(delay);
  co_await listener.retry_timer.async_wait(nothrow_awaitable);
  delay = std::min(delay * 2, std::chrono::milliseconds(1s));
}

// One timer for all deadlines: connections are listed in deadline order, so it
// only ever needs to wake for the oldest.
awaitable<void> Server::enforce_deadlines() {
  while (running_) {
    const auto now = Connection::Clock::now();
    // Any connection accepted after now expires after now + timeout.
    deadline_timer_.expires_at(connections_.cut_expired(now).value_or(now + config_.timeout));
    co_await deadline_timer_.async_wait(nothrow_awaitable);
  }
}

}  // namespace tcpecho

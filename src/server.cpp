#include "server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "accept.hpp"
#include "handler_slot.hpp"
#include "in_place_io.hpp"
#include "python_format.hpp"

namespace tcpecho {
namespace {

std::vector<tcp::endpoint> resolve_listen_addresses(const ServerConfig& config) {
  asio::io_context io;
  tcp::resolver resolver(io);
  asio::error_code error;
  const auto results =
      resolver.resolve(config.host, std::to_string(config.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error) {
    throw StartupError(ExitStatus::resolve_failed,
                       fmt::format("cannot resolve '{}': {}", config.host, error.message()));
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& result : results) {
    if (std::find(endpoints.begin(), endpoints.end(), result.endpoint()) == endpoints.end()) {
      endpoints.push_back(result.endpoint());
    }
  }
  return endpoints;
}

// SO_REUSEPORT: several sockets on one port, the kernel spreading connections
// across them; how each thread of a multi-threaded server gets its own.
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

tcp::acceptor listen_at(io_executor executor, const tcp::endpoint& endpoint, bool shared_port) {
  tcp::acceptor acceptor(executor);
  asio::error_code error;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(tcp::acceptor::reuse_address(true), error);
  if (!error && shared_port) acceptor.set_option(reuse_port(true), error);
  // "::" means every address, IPv4 included, whatever the system default.
  if (!error && endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
    acceptor.set_option(asio::ip::v6_only(false), error);
  }
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (!error) prepare_to_accept(acceptor, error);
  if (error) {
    throw StartupError(ExitStatus::listen_failed, fmt::format("cannot listen on {} port {}: {}",
                                                              endpoint.address().to_string(),
                                                              endpoint.port(), error.message()));
  }
  return acceptor;
}

// Takes over a listening socket someone else opened (systemd), after checking
// that it is one: anything else would fail later in confusing ways.
tcp::acceptor adopt(io_executor executor, int descriptor) {
  int listening = 0;
  socklen_t length = sizeof listening;
  sockaddr_storage address{};
  socklen_t address_length = sizeof address;
  if (::getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 ||
      listening == 0 ||
      ::getsockname(descriptor, reinterpret_cast<sockaddr*>(&address), &address_length) != 0 ||
      (address.ss_family != AF_INET && address.ss_family != AF_INET6)) {
    throw StartupError(ExitStatus::listen_failed,
                       fmt::format("descriptor {} from the service manager is not a listening "
                                   "TCP socket",
                                   descriptor));
  }
  const auto protocol = address.ss_family == AF_INET ? tcp::v4() : tcp::v6();
  tcp::acceptor acceptor(executor, protocol, descriptor);
  asio::error_code error;
  prepare_to_accept(acceptor, error);
  if (error) {
    throw StartupError(ExitStatus::listen_failed,
                       fmt::format("cannot use descriptor {} from the service manager: {}",
                                   descriptor, error.message()));
  }
  return acceptor;
}

}  // namespace

// Counts an exchange as in progress for as long as it lives; when the last one
// ends the server is idle again and says so, like the seed before accept().
class Server::ExchangeInProgress {
 public:
  explicit ExchangeInProgress(Server& server) : server_(server) {
    ++server_.exchanges_in_progress_;  // atomic: shared by all threads
  }
  ~ExchangeInProgress() {
    if (--server_.exchanges_in_progress_ == 0 && !server_.stopping_) server_.announce_waiting();
  }
  ExchangeInProgress(const ExchangeInProgress&) = delete;
  ExchangeInProgress& operator=(const ExchangeInProgress&) = delete;

 private:
  Server& server_;
};

Server::Server(io_executor executor, ServerConfig config, Output& out)
    : Server(executor, std::move(config), out, nullptr) {
  for (int descriptor : config_.inherited_sockets) add_listener(adopt(executor, descriptor));
  if (!listeners_.empty()) return;

  std::uint16_t port = config_.port;
  for (auto endpoint : resolve_listen_addresses(config_)) {
    // With --port 0 and a name with several addresses, all of them share the
    // port the kernel picked for the first.
    endpoint.port(port);
    add_listener(listen_at(executor, endpoint, config_.threads > 1));
    port = listeners_.back().endpoint.port();
  }
}

Server::Server(io_executor executor, Server& first)
    : Server(executor, first.config_, first.out_, &first) {
  for (int descriptor : config_.inherited_sockets) {
    // Every thread waits on the one socket systemd passed; whichever wakes
    // first accepts.
    add_listener(adopt(executor, ::dup(descriptor)));
  }
  if (!listeners_.empty()) return;
  for (const auto& endpoint : first.local_endpoints()) {
    add_listener(listen_at(executor, endpoint, true));
  }
}

Server::Server(io_executor executor, ServerConfig config, Output& out, Server* first)
    : executor_(executor),
      config_(std::move(config)),
      out_(out),
      announces_(first == nullptr),
      exchanges_in_progress_(first != nullptr ? first->own_exchanges_in_progress_
                                              : own_exchanges_in_progress_),
      // Each thread serves its share of the limit: the kernel spreads
      // connections evenly across the threads' sockets.
      connections_(executor, (config_.max_connections + config_.threads - 1) / config_.threads,
                   config_.timeout),
      deadline_timer_(executor),
      grace_timer_(executor),
      stop_requested_(executor, asio::steady_timer::time_point::max()) {}

std::vector<tcp::endpoint> Server::local_endpoints() const {
  std::vector<tcp::endpoint> endpoints;
  for (const auto& listener : listeners_) endpoints.push_back(listener.endpoint);
  return endpoints;
}

void Server::add_listener(tcp::acceptor acceptor) {
  const auto endpoint = acceptor.local_endpoint();
  listeners_.emplace_back(Listener{std::move(acceptor), endpoint, asio::steady_timer(executor_)});
}

// `what` is a string literal: nothing is allocated for it per connection.
auto Server::report_failure(const char* what, bool stops_server) {
  return [this, what, stops_server](std::exception_ptr failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      out_.print_error("tcpecho: {} failed: {}", what, e.what());
    }
    if (stops_server) {
      healthy_ = false;
      shutdown("internal error");
    }
  };
}

awaitable<void> Server::run() {
  if (announces_) {
    for (const auto& listener : listeners_) out_.print("Listening at {}", listener.endpoint);
    announce_waiting();
  }
  for (auto& listener : listeners_) {
    co_spawn(executor_, accept_clients(listener), report_failure("accept loop", true));
  }
  if (config_.timeout.count() > 0) {
    co_spawn(executor_, enforce_deadlines(), report_failure("deadline watchdog", true));
  }

  while (!stopping_) co_await stop_requested_.async_wait(nothrow_awaitable);
  co_await connections_.until_empty();

  running_ = false;
  grace_timer_.cancel();
  deadline_timer_.cancel();
}

void Server::announce_waiting() { log("Waiting for a new connection"); }

void Server::shutdown(std::string_view reason) {
  if (stopping_) return;
  stopping_ = true;
  stop_requested_.cancel();

  const auto in_flight = connections_.cut_idle(Connection::Cut::shutting_down);
  // With several threads the first speaks for all, counting its own exchanges.
  if (announces_)
    out_.print("Shutting down ({}): {} exchange{} in progress, up to {} to finish", reason,
               in_flight, in_flight == 1 ? "" : "s", seconds_text(config_.grace));

  for (auto& listener : listeners_) {
    asio::error_code ignored;
    listener.acceptor.close(ignored);
    listener.retry_timer.cancel();
  }
  connections_.stop_admitting();

  grace_timer_.expires_after(config_.grace);
  grace_timer_.async_wait([this](asio::error_code error) {
    if (!error) connections_.cut_all(Connection::Cut::shutting_down);
  });
}

void Server::abort(std::string_view reason) {
  shutdown(reason);
  connections_.cut_all(Connection::Cut::shutting_down);
}

awaitable<void> Server::accept_clients(Listener& listener) {
  auto delay = 10ms;
  for (;;) {
    // The permit comes first: past the limit, clients wait in the backlog.
    std::optional<Permit> permit = co_await connections_.admit();
    if (!permit) co_return;

    auto [error, socket, peer] = co_await accept_connection(listener.acceptor);
    if (stopping_) co_return;
    if (error) {
      co_await back_off(listener, error, delay);
      continue;
    }
    if (listener.failing) {
      listener.failing = false;
      delay = 10ms;
      out_.print_error("tcpecho: accepting connections on {} again", listener.endpoint);
    }
    welcome(listener, std::move(socket), peer, std::move(*permit));
    // The connections already open go first, then the next in the queue: a
    // flood of new ones cannot hold up those being served. (After welcome():
    // a connection taken is already one the server answers for.)
    co_await asio::post(executor_, use_awaitable);
  }
}

// Out of descriptors or memory, accept() fails at once for as long as the
// condition lasts. Retrying at once would spin a core; giving up would leave
// a server that no longer serves. So: say it once, wait, retry, wait longer.
awaitable<void> Server::back_off(Listener& listener, const asio::error_code& error,
                                 std::chrono::milliseconds& delay) {
  if (!listener.failing) {
    listener.failing = true;
    out_.print_error("tcpecho: cannot accept connections on {}: {}; retrying", listener.endpoint,
                     error.message());
  }
  listener.retry_timer.expires_after(delay);
  co_await listener.retry_timer.async_wait(nothrow_awaitable);
  delay = std::min(delay * 2, std::chrono::milliseconds(1s));
}

// Everything a connection holds from accept to close. It lives on the heap,
// not in a coroutine frame, so that a connection that has not said anything
// yet costs only this and one pending receive: the coroutine that serves it
// starts when there is something to serve (see welcome()).
struct Server::Session {
  Session(Server& server, tcp::socket accepted, Permit permit, tcp::endpoint peer)
      : socket(std::move(accepted)),
        peer(peer),
        connection(server.connections_, std::move(permit), socket),
        busy(std::in_place, server) {}

  tcp::socket socket;
  tcp::endpoint peer;
  Connection connection;
  std::optional<ExchangeInProgress> busy;
  // Why waiting for the first byte failed, if it did: the connection was cut.
  asio::error_code ended;
};

void Server::welcome(const Listener& listener, tcp::socket socket, const tcp::endpoint& peer,
                     Permit permit) {
  if (!config_.quiet) {
    // Only a listener on a wildcard address ("::") needs to ask which of the
    // machine's addresses the client reached.
    asio::error_code error;
    const tcp::endpoint local = listener.endpoint.address().is_unspecified()
                                    ? socket.local_endpoint(error)
                                    : listener.endpoint;
    // One write for the three lines: they are printed at the same moment.
    const auto peer_text = python::endpoint_repr(peer);
    log("Connection from {}\n  Socket name: {}\n  Socket peer: {}", peer_text,
        error ? "(unknown: " + error.message() + ")" : python::endpoint_repr(local), peer_text);
  }
  auto session = std::make_unique<Session>(*this, std::move(socket), std::move(permit), peer);

  // Waiting for the first byte (or the end) is a plain callback, not a
  // coroutine, and not a read: Asio would try a read at once, and most
  // clients have said nothing yet when they are accepted. An error (the
  // deadline passed, shutdown) is the coroutine's to report, like any later
  // one.
  auto& waiting = *session;
  // So that a read that ends short is known to have emptied the socket (see
  // read_some_when_ready()); this wait arms it.
  watch_for_peer_close(waiting.socket);
  waiting.socket.async_wait(tcp::socket::wait_read, [this, session = std::move(session)](
                                                        const asio::error_code& error) mutable {
    session->ended = error;
    co_spawn(executor_,
             config_.mode == ServerConfig::Mode::echo ? echo(std::move(session))
                                                      : exchange(std::move(session)),
             report_failure("connection", false));
  });
}

// The seed's exchange: read the message (or what arrives before the client
// half-closes), print it, send the reply, close the sending side.
awaitable<void> Server::exchange(std::unique_ptr<Session> session) {
  auto& [socket, peer, connection, busy, error] = *session;
  const std::size_t length = config_.message_length;
  // Room for a byte more than the message: a read that ends short of it has
  // emptied the socket, so the lingering read below can wait for epoll's
  // word instead of trying recv() first (see read_some_when_ready()).
  std::string message(length + 1, '\0');
  std::size_t received = 0;
  HandlerSlot slot;
  while (received < length && !error) {
    auto [read_error, n] =
        co_await read_some_when_ready(socket, asio::buffer(message) + received, slot);
    error = read_error;
    received += n;
    if (received > 0) connection.phase = Connection::Phase::receiving;
  }
  // What came after the message counts as discarded, below.
  std::size_t discarded = received - std::min(received, length);
  message.resize(received - discarded);

  if (error && error != asio::error::eof) {
    log("  Closing socket {}: {}; message from client: {}", peer, why_closed(connection, error),
        python::bytes_repr(message));
    co_return;
  }
  // MSG_MORE: the end of the stream, which shutdown() sends next, goes in the
  // same packet as the reply. (A partial packet held back that way goes out
  // at the shutdown, at the latest.)
  auto [write_error, written] =
      co_await write_in_place(socket, asio::buffer(config_.reply), MSG_MORE);
  if (write_error) {
    log("  message from client: {}\n  Closing socket {}: could not send the reply: {}",
        python::bytes_repr(message), peer, why_closed(connection, write_error));
    co_return;
  }
  asio::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  // Printed together, once the reply is out: one write instead of two.
  if (logging()) log("  message from client: {}\n  Closing socket", python::bytes_repr(message));
  busy.reset();
  if (error == asio::error::eof) co_return;

  // The client has not half-closed, so it may still be sending. Closing a
  // socket with unread input makes the kernel answer with a reset, which can
  // destroy the reply in flight; so read and discard until the client closes.
  connection.phase = Connection::Phase::lingering;
  message.resize(1024);  // the message has been printed: reuse its storage
  while (!error) {
    auto [read_error, n] = co_await read_some_when_ready(socket, asio::buffer(message), slot);
    error = read_error;
    discarded += n;
  }
  if (discarded > 0) {
    log("  Discarded {} byte{} that {} sent after the message", discarded,
        discarded == 1 ? "" : "s", peer);
  }
  if (error != asio::error::eof && connection.cut != Connection::Cut::shutting_down) {
    log("  Connection {} ended after the reply: {}", peer, why_closed(connection, error));
  }
}

// RFC 862: everything the client sends comes back, in order, until it closes.
// The next chunk is read only once the last one has been written back, so a
// client that does not read is not read either (TCP's flow control holds it
// back) and memory stays bounded. The buffer exists from the first byte on
// (a silent connection has none, see welcome()) and doubles while reads fill
// it, so bulk transfers move in large chunks.
awaitable<void> Server::echo(std::unique_ptr<Session> session) {
  constexpr std::size_t first_size = 4 * 1024;
  constexpr std::size_t largest_size = 64 * 1024;
  auto& [socket, peer, connection, busy, error] = *session;
  std::size_t echoed = 0;

  // Without Nagle's delay: an echo is written as it is read, and holding back
  // a short tail for an ACK stalls a streaming client for tens of ms.
  asio::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);

  std::vector<char> buffer(error ? 0 : first_size);
  HandlerSlot slot;
  while (!error) {
    auto [read_error, n] = co_await read_some_when_ready(socket, asio::buffer(buffer), slot);
    error = read_error;
    if (n == 0) break;
    connection.phase = Connection::Phase::receiving;
    if (config_.verbose && logging()) log("  echoing {}", python::bytes_repr({buffer.data(), n}));

    auto [write_error, written] = co_await write_in_place(socket, asio::buffer(buffer.data(), n));
    echoed += written;
    connections_.touch(connection);
    if (write_error) error = write_error;
    if (n == buffer.size() && buffer.size() < largest_size) buffer.resize(buffer.size() * 2);
  }

  if (error != asio::error::eof) {
    log("  Closing socket {}: {}; echoed {} byte{}", peer, why_closed(connection, error), echoed,
        echoed == 1 ? "" : "s");
    co_return;
  }
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  log("  Closing socket after echoing {} byte{}", echoed, echoed == 1 ? "" : "s");
}

std::string Server::why_closed(const Connection& connection, const asio::error_code& error) const {
  switch (connection.cut) {
    case Connection::Cut::timed_out:
      return fmt::format("timed out after {}", seconds_text(config_.timeout));
    case Connection::Cut::shutting_down:
      return "server shutting down";
    case Connection::Cut::no:
      break;
  }
  return error.message();
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

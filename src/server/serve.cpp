// A connection from accept to close: serve(), which hands it to its mode's
// coroutine; begin(), the steps every mode starts with: the PROXY header,
// the line that says where the connection came from, the TLS handshake.
#include "net/endpoints.hpp"
#include "proxy/proxy_read.hpp"
#include "server/server.hpp"

namespace tcpecho {
namespace {

// Anyone, when --proxy-from names nobody; a Unix socket's peers always: its
// file's permissions say who may connect.
bool may_send_header(const PeerAddress& peer, const std::vector<Cidr>& from) {
  return from.empty() || peer.is_unix() || peer.within(from);
}

}  // namespace

// The seed's loop body, for any number of clients at once: the connection
// is served by one coroutine, its mode's (echo() in echo_mode.cpp,
// exchange() in reply_mode.cpp), which reads top to bottom: the steps before
// the mode (begin()), then the mode, then the close, when the coroutine ends
// (~Connection). The Connection moves into that coroutine's frame: its
// deadline, its place in the shutdown, and its socket, closed there or by
// the server (a deadline, Ctrl+C) under a pending read or write, which then
// fails with the reason.
void Server::serve(Socket socket, const Endpoint& peer, Permit permit, const Listener& listener) {
  const bool echoes = listener.settings.mode == ServeMode::echo;
  Connection connection(
      connections_, std::move(permit), std::move(socket), PeerAddress(peer),
      echoes ? Connection::Deadline::from_activity : Connection::Deadline::from_accept);
  report(events::Opened{connection, listener.position});
  // Admitted at accept (the listener's screen), unless behind a proxy: then
  // begin() judges the client the header names.
  if (!listener.settings.proxy_protocol) connection.admitted_by(shared_.admission);
  co_spawn(executor_,
           echoes ? echo(std::move(connection), listener)
                  : exchange(std::move(connection), listener),
           ConnectionFailure{this});
}

// Who the client is (with --proxy-protocol, its header says), where it came
// from (said), then its TLS handshake, if any. False: the connection is over,
// and why has been said.
awaitable<bool> Server::begin(Connection& connection, const Listener& listener) {
  if (listener.settings.proxy_protocol) {
    if (!co_await receive_proxy_header(connection)) co_return false;
    if (!admit(connection.peer)) co_return false;
    connection.admitted_by(shared_.admission);
  }
  welcome(connection, listener);
  // Not `co_return co_await secure(connection);`: gcc 12 miscompiles that
  // here (the awaited coroutine's frame is gone when its result is read).
  const bool secured = co_await secure(connection, listener);
  co_return secured;
}

// --deny, --allow, --max-per-client: false if the client is refused, which
// is said once per address per window, whatever the log's format.
bool Server::admit(const PeerAddress& client) {
  const auto refusal = shared_.admission.admit(client);
  if (!refusal) return true;
  report(events::Refused{client, *refusal,
                         shared_.refusals.tell(*client.ip_bytes(), RefusalLog::Clock::now())});
  return false;
}

// The header comes first, in the clear, from an address --proxy-from allows;
// the client it names becomes the connection's peer.
awaitable<bool> Server::receive_proxy_header(Connection& connection) {
  if (!may_send_header(connection.peer, config_.proxy_from)) {
    report(events::ProxyRefused{connection});
    co_return false;
  }
  auto [error, source] = co_await read_proxy_header(connection.link);
  if (error) {
    report(events::ProxyHeaderFailed{connection, connection.link.reason(error)});
    co_return false;
  }
  if (source) connection.peer = PeerAddress(*source);
  co_return true;
}

// On a TLS listener, the handshake: false if it failed. Plain: nothing to do.
awaitable<bool> Server::secure(Connection& connection, const Listener& listener) {
  if (!listener.settings.tls) co_return true;
  connection.link.tls = shared_.tls->accept(connection.link.socket);
  if (auto error = co_await handshake(connection.link)) {
    report(events::HandshakeFailed{connection, error});
    co_return false;
  }
  report(events::Secured{connection, connection.link.tls->facts()});
  co_return true;
}

void Server::welcome(Connection& connection, const Listener& listener) {
  auto& socket = connection.link.socket;
  if (listener.settings.mode == ServeMode::echo && !connection.peer.is_unix()) {
    // Without Nagle's delay: an echo is written as it is read, and holding
    // back a short tail for an ACK stalls a streaming client for tens of ms.
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
  }
  // Only a listener on a wildcard address ("::") needs to ask which of the
  // machine's addresses the client reached; only behind a proxy is the
  // socket's peer another than the client.
  asio::error_code error;
  const Endpoint local =
      is_wildcard(listener.endpoint) ? socket.local_endpoint(error) : listener.endpoint;
  asio::error_code ignored;
  const bool proxied = listener.settings.proxy_protocol;
  const Endpoint socket_peer =
      proxied ? socket.remote_endpoint(ignored) : connection.peer.endpoint();
  report(events::Accepted{connection, local, error, socket_peer, proxied});
}

}  // namespace tcpecho

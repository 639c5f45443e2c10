// A connection from accept to close: serve(), which hands it to its mode's
// coroutine; secure(), its TLS handshake; welcome(), which says where it
// came from.
#include "net/endpoints.hpp"
#include "server/server.hpp"

namespace tcpecho {

// The seed's loop body, for any number of clients at once: the connection
// is said, then served by one coroutine, its mode's (echo() in echo_mode.cpp,
// exchange() in reply_mode.cpp), which reads top to bottom: optional steps
// first (secure()), then the mode, then the close, when the coroutine ends
// (~Connection). The Connection moves into that coroutine's frame: its
// deadline, its place in the shutdown, and its socket, closed there or by
// the server (a deadline, Ctrl+C) under a pending read or write, which then
// fails with the reason.
void Server::serve(Socket socket, const Endpoint& peer, Permit permit, const Listener& listener) {
  Connection connection(connections_, std::move(permit), std::move(socket), peer);
  welcome(connection, listener);
  co_spawn(executor_,
           config_.mode == ServerConfig::Mode::echo ? echo(std::move(connection))
                                                    : exchange(std::move(connection)),
           report_failure("connection", false));
}

// With --tls, the handshake: false if it failed. Plain: nothing to do.
awaitable<bool> Server::secure(Connection& connection) {
  if (!shared_.tls) co_return true;
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
  if (config_.mode == ServerConfig::Mode::echo && !connection.peer.is_unix()) {
    // Without Nagle's delay: an echo is written as it is read, and holding
    // back a short tail for an ACK stalls a streaming client for tens of ms.
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
  }
  // Only a listener on a wildcard address ("::") needs to ask which of the
  // machine's addresses the client reached.
  asio::error_code error;
  const Endpoint local =
      is_wildcard(listener.endpoint) ? socket.local_endpoint(error) : listener.endpoint;
  report(events::Accepted{connection, local, error});
}

}  // namespace tcpecho

// A connection from accept to the mode that serves it (Server's half that
// serves): welcome() prints it and makes its Session, secure() runs a TLS
// handshake, serve() starts exchange() (reply_mode.cpp) or echo()
// (echo_mode.cpp), and a quiet one waits in wait_for_bytes() with no
// coroutine. Accepting, deadlines and shutdown are in server.cpp.
#include "net/endpoints.hpp"
#include "output/python_format.hpp"
#include "server/server.hpp"
#include "server/session.hpp"
#include "transport/link.hpp"

namespace tcpecho {

void Server::welcome(const Listener& listener, Socket socket, const Endpoint& peer, Permit permit) {
  std::string peer_text;
  if (logging()) {
    // Only a listener on a wildcard address ("::") needs to ask which of the
    // machine's addresses the client reached.
    asio::error_code error;
    const Endpoint local =
        is_wildcard(listener.endpoint) ? socket.local_endpoint(error) : listener.endpoint;
    // One write for the three lines: they are printed at the same moment.
    peer_text = python::endpoint_repr(peer);
    log("Connection from {}\n  Socket name: {}\n  Socket peer: {}", peer_text,
        error ? "(unknown: " + error.message() + ")" : python::endpoint_repr(local), peer_text);
  }
  if (config_.mode == ServerConfig::Mode::echo && !is_unix(peer)) {
    // Without Nagle's delay: an echo is written as it is read, and holding
    // back a short tail for an ACK stalls a streaming client for tens of ms.
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
  }
  // The lines after the seed's name an unnamed Unix client as such, where the
  // seed's own lines print nothing.
  if (logging() && peer_text.empty()) peer_text = "(unnamed)";
  auto session =
      std::make_unique<Session>(*this, std::move(socket), std::move(permit), std::move(peer_text));
  // A plain reply-mode client has rarely spoken by the time it is accepted:
  // a read now would nearly always fail, so it waits at once.
  if (config_.mode == ServerConfig::Mode::reply && !session->link.tls) {
    wait_for_bytes(std::move(session));
  } else {
    serve(std::move(session));
  }
}

// The coroutine that serves a connection starts when there may be something
// to serve: after a wait, or at accept for one that has a handshake to run
// or, in echo mode, may have spoken already.
void Server::serve(std::unique_ptr<Session> session) {
  auto& link = session->link;
  co_spawn(executor_,
           link.tls && !session->secured              ? secure(std::move(session))
           : config_.mode == ServerConfig::Mode::echo ? echo(std::move(session))
                                                      : exchange(std::move(session)),
           report_failure("connection", false));
}

// TLS: the handshake, then the same exchange or echo as over plain TCP.
awaitable<void> Server::secure(std::unique_ptr<Session> session) {
  if (auto error = co_await handshake(session->link)) {
    log("  Closing socket {}: TLS handshake failed: {}", session->peer,
        why_closed(session->connection, error));
    co_return;
  }
  session->secured = true;
  if (config_.verbose) log("  TLS: {}", description(session->link.tls->facts()));
  if (config_.mode == ServerConfig::Mode::echo) {
    co_await echo(std::move(session));
  } else {
    co_await exchange(std::move(session));
  }
}

// Waiting for bytes (or the end) is a plain callback, not a coroutine: a
// client may take its time to speak, an echo client may say nothing for
// hours after its last echo. So a quiet connection costs only its Session
// and one pending operation. Reply mode waits for readability and leaves
// the bytes in the kernel until the coroutine reads them: a shutdown that
// comes in between still sees (FIONREAD) that the client has spoken. An
// echo connection waits with a read into the inbox, which Asio's reactor
// does without the epoll_ctl() an async_wait() costs, once per echo; over
// TLS, OpenSSL reads those bytes first (TlsLayer::stage()). An error (the
// deadline passed, shutdown, the client's end) is the coroutine's to
// report, like any later one.
void Server::wait_for_bytes(std::unique_ptr<Session> session) {
  auto& waiting = *session;
  if (config_.mode == ServerConfig::Mode::reply) {
    waiting.link.socket.async_wait(Socket::wait_read, [this, session = std::move(session)](
                                                          const asio::error_code& error) mutable {
      session->ended = error;
      serve(std::move(session));
    });
    return;
  }
  waiting.link.socket.async_read_some(
      asio::buffer(waiting.inbox),
      [this, session = std::move(session)](const asio::error_code& error, std::size_t n) mutable {
        session->ended = error;
        session->arrived = n;
        ++reads_done_;
        if (echo_at_once(*session)) {
          read_next(std::move(session));
        } else {
          serve(std::move(session));
        }
      });
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

}  // namespace tcpecho

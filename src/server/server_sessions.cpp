// What happens to a connection once it is accepted (Server's half that
// serves): welcome() prints it and makes its Session, secure() runs a TLS
// handshake, exchange() or echo() serve it, and a quiet one waits in
// wait_for_bytes() with no coroutine. Accepting, deadlines and shutdown are
// in server.cpp.
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "net/endpoints.hpp"
#include "output/python_format.hpp"
#include "server/server.hpp"
#include "transport/link.hpp"

namespace tcpecho {

// The room a message gets at first, before it shows it needs more.
constexpr std::size_t first_message_room = 1024;

// Counts a connection as busy from accept until its reply is out (echo: until
// it ends); when none is left on any thread the server is idle again and
// says so, like the seed before accept().
class Server::Busy {
 public:
  explicit Busy(Server& server) : server_(server) { ++server_.shared_.busy; }
  ~Busy() {
    if (--server_.shared_.busy == 0 && !server_.stopping_) server_.announce_waiting();
  }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  Server& server_;
};

// Everything a connection holds from accept to close. It lives on the heap,
// not in a coroutine frame, so that a connection that has not said anything
// yet costs only this and one pending receive: the coroutine that serves it
// starts when there is something to serve (see welcome()).
struct Server::Session {
  Session(Server& server, Socket accepted, Permit permit, std::string peer)
      : link{std::move(accepted), nullptr},
        peer(std::move(peer)),
        connection(server.connections_, std::move(permit), link.socket),
        busy(std::in_place, server) {
    if (server.shared_.tls) link.tls = server.shared_.tls->accept(link.socket);
  }

  Link link;
  // The client's address as the transcript prints it, made once; empty with
  // --quiet, which prints no line about a connection.
  std::string peer;
  Connection connection;
  std::optional<Busy> busy;
  // Why the last wait for bytes failed, if it did: the connection was cut.
  asio::error_code ended;
  std::size_t echoed = 0;  // echo mode: bytes sent back so far
  bool secured = false;    // TLS: the handshake is over
  // What the wait for a plain connection read (wait_for_bytes()): room for a
  // short message whole, so that the wait and the read are one operation to
  // Asio's reactor, with no epoll_ctl() to re-arm the socket; a longer
  // message is read on from the socket, into the thread's scratch buffer.
  std::array<char, 256> inbox;
  std::size_t arrived = 0;
};

void Server::welcome(const Listener& listener, Socket socket, const Endpoint& peer,
                     Permit permit) {
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
  serve(std::make_unique<Session>(*this, std::move(socket), std::move(permit),
                                 std::move(peer_text)));
}

// The coroutine that serves a connection starts when there may be something
// to serve: at accept (most clients have spoken by then), and after a wait.
void Server::serve(std::unique_ptr<Session> session) {
  auto& link = session->link;
  co_spawn(executor_,
           link.tls && !session->secured             ? secure(std::move(session))
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
// (with its small inbox) and one pending operation. A plain connection
// waits with a read into the inbox; a TLS one waits for readability, since
// OpenSSL reads its records itself. An error (the deadline passed, shutdown,
// the client's end) is the coroutine's to report, like any later one.
void Server::wait_for_bytes(std::unique_ptr<Session> session) {
  auto& waiting = *session;
  if (waiting.link.tls) {
    waiting.link.socket.async_wait(Socket::wait_read, [this, session = std::move(session)](
                                                          const asio::error_code& error) mutable {
      session->ended = error;
      serve(std::move(session));
    });
    return;
  }
  // Reply mode: not a byte past the message, which the lingering read counts.
  const std::size_t room = config_.mode == ServerConfig::Mode::echo
                               ? waiting.inbox.size()
                               : std::min(waiting.inbox.size(), config_.message_length);
  waiting.link.socket.async_read_some(
      asio::buffer(waiting.inbox.data(), room),
      [this, session = std::move(session)](const asio::error_code& error, std::size_t n) mutable {
        session->ended = error;
        session->arrived = n;
        if (config_.mode == ServerConfig::Mode::echo && echo_at_once(*session)) {
          wait_for_bytes(std::move(session));
        } else {
          serve(std::move(session));
        }
      });
}

// Echo's common case needs no coroutine: a chunk that the wait's read took
// whole (it did not fill the inbox) and that the kernel takes whole at once.
// Anything else (an error, the end, a longer chunk, a write that is only
// partly taken, --verbose's line) is echo()'s, with what is left of the
// chunk still in the inbox. A chunk read by the wait is as fair as any:
// when it was there at once, Asio posts its completion behind the others.
bool Server::echo_at_once(Session& session) {
  const std::size_t n = session.arrived;
  if (session.ended || n == session.inbox.size() || config_.verbose) return false;
  session.connection.phase = Connection::Phase::receiving;
  const std::size_t written = send_now(session.link, asio::buffer(session.inbox.data(), n),
                                       session.ended);
  session.echoed += written;
  connections_.touch(session.connection);
  if (session.ended || written < n) {
    std::memmove(session.inbox.data(), session.inbox.data() + written, n - written);
    session.arrived = n - written;
    return false;
  }
  session.arrived = 0;
  return true;
}

// The seed's exchange: read the message (or what arrives before the client
// half-closes), print it, send the reply, close the sending side. The room
// for the message grows with what the client sends: --length caps memory, it
// does not allocate it. Most clients have sent their message by the time the
// server gets to them; one that has not is waited for without a coroutine.
awaitable<void> Server::exchange(std::unique_ptr<Session> session) {
  auto& [link, peer, connection, busy, error, echoed, secured, inbox, arrived] = *session;
  const std::size_t length = config_.message_length;
  std::string message(std::min(length, first_message_room), '\0');
  std::size_t received = std::exchange(session->arrived, 0);
  std::memcpy(message.data(), session->inbox.data(), received);
  if (received == 0 && !error) received = read_now(link, asio::buffer(message), error);
  if (error == asio::error::would_block) {
    error = {};
    wait_for_bytes(std::move(session));
    co_return;
  }
  if (received > 0) connection.phase = Connection::Phase::receiving;
  if (received < length && !error) co_await read_rest(link, message, received, error);
  message.resize(received);

  if (error && error != asio::error::eof) {
    log("  Closing socket {}: {}; message from client: {}", peer, why_closed(connection, error),
        python::bytes_repr(message));
    co_return;
  }
  // MSG_MORE: the end of the stream, which shutdown() sends next, goes in the
  // same packet as the reply. (A partial packet held back that way goes out
  // at the shutdown, at the latest.)
  asio::error_code write_error;
  const std::size_t sent = send_now(link, asio::buffer(config_.reply), write_error, MSG_MORE);
  if (!write_error && sent < config_.reply.size()) write_error = co_await send_reply_rest(link, sent);
  if (write_error) {
    log("  message from client: {}\n  Closing socket {}: could not send the reply: {}",
        python::bytes_repr(message), peer, why_closed(connection, write_error));
    co_return;
  }
  shutdown_send(link);
  // Printed together, once the reply is out: one write instead of two.
  if (logging()) log("  message from client: {}\n  Closing socket", python::bytes_repr(message));
  busy.reset();
  if (error == asio::error::eof) co_return;
  message = {};  // printed: its memory goes back
  co_await linger(*session);
}

// The part of the reply the kernel did not take at once.
awaitable<asio::error_code> Server::send_reply_rest(Link& link, std::size_t sent) {
  std::vector<char> kept;
  auto [error, written] = co_await send_rest(link, asio::buffer(config_.reply), sent, kept);
  co_return error;
}

// What the first read left of the message: until --length bytes, the
// client's end, or an error. The room grows with what arrives.
awaitable<void> Server::read_rest(Link& link, std::string& message, std::size_t& received,
                                  asio::error_code& error) {
  const std::size_t length = config_.message_length;
  while (received < length && !error) {
    if (received == message.size()) message.resize(std::min(2 * received, length));
    auto [read_error, n] = co_await read_when_ready(link, asio::buffer(message) + received);
    error = read_error;
    received += n;
  }
}

// The client has not half-closed, so it may still be sending. Closing a
// socket with unread input makes the kernel answer with a reset, which can
// destroy the reply in flight; so read and discard until the client closes.
awaitable<void> Server::linger(Session& session) {
  auto& [link, peer, connection, busy, error, echoed, secured, inbox, arrived] = session;
  connection.phase = Connection::Phase::lingering;
  std::size_t discarded = 0;
  constexpr std::size_t discard_per_turn = 4096;
  while (!error) {
    // A small read per turn: discarding is the least useful work there is,
    // and a client that keeps sending must not take the others' time for it.
    auto [read_error, n] =
        co_await read_when_ready(link, asio::buffer(scratch_.buffer(), discard_per_turn));
    error = read_error;
    discarded += n;
  }
  if (discarded > 0) {
    log("  Discarded {} byte{} that {} sent after the message", discarded,
        discarded == 1 ? "" : "s", peer);
  }
  // A TLS client that closes without close_notify (many do) cannot cut
  // anything short here: its message is in, its reply out.
  if (error != asio::error::eof && error != tls_truncated() &&
      connection.cut != Connection::Cut::shutting_down) {
    log("  Connection {} ended after the reply: {}", peer, why_closed(connection, error));
  }
}

// RFC 862: everything the client sends comes back, in order, until it closes.
// The next chunk is read only once the last one has been written back, so a
// client that does not read is not read either (TCP's flow control holds it
// back). A chunk is nearly always written back at once from the thread's
// scratch buffer: a connection keeps bytes of its own only while the kernel
// will not take them, so a quiet one holds none. After each chunk the
// connection goes back to waiting, and the others have their turn.
awaitable<void> Server::echo(std::unique_ptr<Session> session) {
  auto& [link, peer, connection, busy, error, echoed, secured, inbox, arrived] = *session;
  std::vector<char> kept;
  while (!error) {
    const std::size_t n = take_arrived(*session);
    if (error == asio::error::would_block) {
      error = {};
      break;  // nothing yet
    }
    if (error) break;
    connection.phase = Connection::Phase::receiving;
    if (config_.verbose && logging()) log("  echoing {}", python::bytes_repr({scratch_.data(), n}));

    const auto bytes = asio::buffer(scratch_.data(), n);
    std::size_t written = send_now(link, bytes, error);
    if (!error && written < n)
      std::tie(error, written) = co_await send_rest(link, bytes, written, kept);
    echoed += written;
    connections_.touch(connection);
    if (error || !link.tls) break;  // plain: the wait's read is next
    // TLS waits for readability, which costs an epoll_ctl() each time: the
    // others go first, and then the next read is tried at once (a record
    // read whole may even hold more than the scratch buffer took).
    if (!has_pending(link)) co_await asio::post(executor_, use_awaitable);
  }
  if (!error) {
    wait_for_bytes(std::move(session));
    co_return;
  }

  if (error != asio::error::eof) {
    log("  Closing socket {}: {}; echoed {} byte{}", peer, why_closed(connection, error), echoed,
        echoed == 1 ? "" : "s");
    co_return;
  }
  shutdown_send(link);
  log("  Closing socket after echoing {} byte{}", echoed, echoed == 1 ? "" : "s");
}

// What there is to echo, in the scratch buffer: what the wait read, and
// more from the socket if that filled the inbox, or if there was no wait
// (a new connection) or only one for readability (TLS).
std::size_t Server::take_arrived(Session& session) {
  std::size_t n = std::exchange(session.arrived, 0);
  char* scratch = static_cast<char*>(scratch_.buffer().data());
  std::memcpy(scratch, session.inbox.data(), n);
  if (n > 0 && n < session.inbox.size()) return n;
  n += read_now(session.link, scratch_.buffer() + n, session.ended);
  if (n > 0 && session.ended == asio::error::would_block) session.ended = {};
  return n;
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

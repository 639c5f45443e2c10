// Echo mode, RFC 862: echo_at_once() echoes a short chunk from the wait's
// callback and read_next() decides when the next read starts; echo() does
// everything else, until the client closes.
#include <algorithm>
#include <cstring>

#include "output/python_format.hpp"
#include "server/server.hpp"
#include "server/session.hpp"
#include "transport/link.hpp"

namespace tcpecho {

// Echo's common case needs no coroutine: a chunk that the wait's read took
// whole (it did not fill the inbox) and that the kernel takes whole at once.
// Anything else (an error, the end, a longer chunk, a write that is only
// partly taken, --verbose's line) is echo()'s, with what is left of the
// chunk still in the inbox. A chunk read by the wait is as fair as any:
// when it was there at once, Asio posts its completion behind the others.
bool Server::echo_at_once(Session& session) {
  const std::size_t n = session.arrived;
  if (session.ended || n == session.inbox.size() || config_.verbose || session.link.tls)
    return false;
  const std::size_t written =
      send_now(session.link, asio::buffer(session.inbox.data(), n), session.ended);
  count_echoed(session, written);
  if (session.ended || written < n) {
    std::memmove(session.inbox.data(), session.inbox.data() + written, n - written);
    session.arrived = n - written;
    return false;
  }
  session.arrived = 0;
  return true;
}

// After an echo that went out at once, the connection's next read is posted
// behind the other ready connections rather than started at once: by then a
// busy client has often answered, and Asio's first try of the read finds the
// bytes instead of failing and waiting for epoll (over a Unix socket at 50
// connections, 0.5-0.65 failed recv() per round trip instead of 0.9). With
// nobody else ready, a post only costs an epoll_wait() of its own: after a
// run of such lone posts, reads start at once, and the read after every 64th
// completed is posted, to notice when the load comes back.
constexpr int lone_posts_to_stop = 8;

void Server::read_next(std::unique_ptr<Session> session) {
  if (lone_posts_ >= lone_posts_to_stop && reads_done_ % 64 != 0) {
    wait_for_bytes(std::move(session));
    return;
  }
  asio::post(executor_, [this, since = reads_done_, session = std::move(session)]() mutable {
    lone_posts_ = reads_done_ == since ? std::min(lone_posts_ + 1, lone_posts_to_stop) : 0;
    wait_for_bytes(std::move(session));
  });
}

// RFC 862: everything the client sends comes back, in order, until it closes.
// The next chunk is read only once the last one has been written back, so a
// client that does not read is not read either (TCP's flow control holds it
// back). A chunk is nearly always written back at once from the thread's
// scratch buffer: a connection keeps bytes of its own only while the kernel
// will not take them, so a quiet one holds none but its inbox. After each
// chunk the connection goes back to waiting, and the others have their turn.
awaitable<void> Server::echo(std::unique_ptr<Session> session) {
  auto& [link, peer, connection, busy, error, echoed, secured, inbox, arrived] = *session;
  std::vector<char> kept;
  for (;;) {
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
    count_echoed(*session, written);
    // The wait's read is next: plain, and over TLS after a short record.
    // After a long record the client is likely streaming: once the others
    // have had their turn, the next record is read straight from the socket
    // (a record read whole may even hold more than the scratch buffer took).
    const bool more = has_pending(link);
    if (error || !link.tls || (n < inbox.size() && !more)) break;
    if (!more) co_await asio::post(executor_, use_awaitable);
  }
  if (!error) {
    read_next(std::move(session));
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

// Progress, for the idle timeout and the closing line.
void Server::count_echoed(Session& session, std::size_t written) {
  session.connection.phase = Connection::Phase::receiving;
  session.echoed += written;
  connections_.touch(session.connection);
}

// What there is to echo, in the scratch buffer: what the wait read, and
// more from the socket if that filled the inbox, or if there was no wait
// (a new connection). Over TLS, OpenSSL decrypts what the wait read first.
// A wait that failed leaves its error (the end, a cut, a reset), except that
// over TLS whether the end is clean (close_notify first) is OpenSSL's to
// say: it reads the end again.
std::size_t Server::take_arrived(Session& session) {
  std::size_t n = std::exchange(session.arrived, 0);
  const bool tls_end = session.link.tls && session.ended == asio::error::eof;
  if (session.ended && !tls_end) return 0;
  if (session.link.tls) {
    if (n > 0) session.link.tls->stage(asio::buffer(session.inbox.data(), n));
    return read_now(session.link, scratch_.buffer(), session.ended);
  }
  char* scratch = static_cast<char*>(scratch_.buffer().data());
  std::memcpy(scratch, session.inbox.data(), n);
  if (n > 0 && n < session.inbox.size()) return n;
  n += read_now(session.link, scratch_.buffer() + n, session.ended);
  // With bytes in hand, "nothing more yet" is no news, and the client's end
  // waits for the next read, which finds it again: the bytes go back first.
  if (n > 0 && (session.ended == asio::error::would_block || session.ended == asio::error::eof))
    session.ended = {};
  return n;
}

}  // namespace tcpecho

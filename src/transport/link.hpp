// A connection's byte stream, as the server, the client and bench's loads use
// it: five operations (read_some, read_exactly, write_all, shutdown_send,
// close) over a socket, with TLS over it when the connection has a
// TlsLayer. The code above them reads like blocking code and never asks
// which kind of connection it has, nor how the bytes move; the speed,
// fairness and small memory live here, in link.cpp and link_read.hpp:
//
// - A read takes what is there at once and waits only when there is
//   nothing, the way a hand-written epoll server does; a read that emptied
//   the socket does not try it again before the wait (link_read.hpp). The
//   wait is itself a read, into the connection's small Inbox: Asio's
//   reactor re-arms a socket with an epoll_ctl() for every async_wait(),
//   never for a read.
// - Bytes are read into the caller's buffer, usually the thread's scratch
//   buffer (scratch_buffer()), so a quiet connection holds none; a write
//   keeps a copy of what the kernel would not take, and only until it does.
// - Turns: every read completes through the event loop, and writes that
//   keep finding room yield after a TurnBudget's worth, so a connection
//   whose socket stays ready cannot keep the others on its thread waiting.
#pragma once

#include <memory>
#include <string>
#include <tuple>

#include "net/socket_io.hpp"
#include "tls/tls.hpp"
#include "transport/inbox.hpp"
#include "transport/turn_budget.hpp"

namespace tcpecho {

// Told of every read that moved bytes, and of every write that had to wait
// for room before it did (one that goes at once follows a read, which told
// already): how the server keeps its idle deadlines without the protocol
// code saying anything.
class Activity {
 public:
  virtual void moved(std::size_t bytes_read) = 0;

 protected:
  ~Activity() = default;
};

struct Link {
  // A socket still to connect (a client's).
  explicit Link(io_executor executor) : socket(executor) {}
  explicit Link(Socket connected) : socket(std::move(connected)) {}

  Socket socket;
  std::unique_ptr<TlsLayer> tls;  // none: plain
  Activity* activity = nullptr;
  // Why this side closed the socket under its operations, if it did (a
  // server's deadline, its shutdown): what they report instead of the
  // cancellation.
  asio::error_code cut;
  asio::error_code reason(const asio::error_code& error) const {
    return error && cut ? cut : error;
  }

  // The I/O layer's own state: what the last wait read, over TLS staged for
  // OpenSSL (which reads it in place: it lives as long as `tls`); whether the
  // last read emptied the socket; this turn's budget.
  Inbox inbox;
  bool drained = true;
  bool spoken = false;  // some bytes have arrived
  TurnBudget turn;
};

using IoResult = std::tuple<asio::error_code, std::size_t>;

// TLS: runs the handshake to its end or its failure. Plain: nothing to do.
awaitable<asio::error_code> handshake(Link& link);

// Reads what there is, at most `buffer.size()` bytes, waiting until there is
// something: eof once the peer has ended (over TLS with close_notify;
// tls_truncated() without). Like the others, co_await on it gives an
// IoResult.
inline auto read_some(Link& link, asio::mutable_buffer buffer);
// Fills `buffer` whole, or fails (eof if the peer ended first).
awaitable<IoResult> read_exactly(Link& link, asio::mutable_buffer buffer);
// Reads into `bytes` until `limit` bytes (no error) or the peer's end (eof),
// its room growing with what arrives: `limit` caps memory, it does not
// allocate it. The count is the size `bytes` came to.
inline auto read_up_to(Link& link, std::string& bytes, std::size_t limit);
// Reads until the peer's end (eof, the success) or an error, at most `limit`
// bytes (more: message_size).
awaitable<asio::error_code> read_to_end(Link& link, std::string& bytes, std::size_t limit);

// Writes all of `bytes`, waiting for room as long as it takes; `bytes` may
// be reused (the scratch buffer) the moment this waits. `flags` are send()'s
// for a plain socket (MSG_MORE: the end, sent next, goes in the same
// segment); TLS sends records, not segments.
awaitable<IoResult> write_all(Link& link, asio::const_buffer bytes,
                              Socket::message_flags flags = 0);

// Bytes read ahead of what their reader wanted (the end of a PROXY header's
// read), returned first by the reads that follow, TLS's handshake included.
// At most Inbox::largest, before any wait has filled the inbox.
void unread(Link& link, asio::const_buffer bytes);

// The end of what this side sends: TLS's close_notify, then the socket's
// half-close (FIN), so that both kinds of peer see the end.
void shutdown_send(Link& link);
// Closes the connection; any read or write of it still pending fails.
void close(Link& link);

}  // namespace tcpecho

// read_some() and read_up_to() themselves, which the coroutines that await
// them instantiate.
#include "transport/link_read.hpp"

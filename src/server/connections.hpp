// One thread's live connections: which ones are open, and in which order
// their deadlines fall.
//
// Each holds a Permit of the server's ConnectionLimit. Every deadline is "last activity +
// --timeout", and a connection moves to the back of the list whenever its deadline moves, so the
// list is always sorted by deadline: one timer watching its head enforces them all, with nothing
// allocated per connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include "listen/connection_limit.hpp"
#include "net/stream.hpp"

namespace tcpecho {

class Connections;

// An accepted connection as the server tracks it. It lives in the connection's
// Session (session.hpp) and is listed for exactly as long as that.
class Connection {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Phase {
    awaiting_message,  // nothing received yet: safe to close at shutdown
    receiving,         // bytes received, reply owed: gets the grace period
    lingering,         // reply sent, draining the client's leftovers
  };
  enum class Cut { no, timed_out, shutting_down };

  Connection(Connections& list, Permit permit, Socket& socket);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  Phase phase = Phase::awaiting_message;
  // Why the server closed the socket under the coroutine's feet, if it did.
  Cut cut = Cut::no;

 private:
  friend class Connections;
  void close(Cut why);
  // Also true when the bytes are still in the kernel, not yet read by us.
  bool has_received_anything() const;

  Connections& list_;
  Permit permit_;
  Socket& socket_;
  Clock::time_point deadline_;
  Connection* previous_ = nullptr;
  Connection* next_ = nullptr;
};

class Connections {
 public:
  // `timeout` zero: no deadlines.
  Connections(io_executor executor, std::chrono::milliseconds timeout);

  // Waits until `limit` has a free slot; false once stop_admitting() has been
  // called. Another thread may take the slot first: take it with try_take().
  awaitable<bool> wait_for_room(const ConnectionLimit& limit);
  void stop_admitting();
  // Wakes wait_for_room() and until_empty() to look again.
  void notify_all() { changed_.cancel(); }

  // Progress on `connection`: its deadline starts again from now.
  void touch(Connection& connection);

  // Closes every connection whose deadline has passed, and returns the next
  // deadline still ahead, if any.
  std::optional<Connection::Clock::time_point> cut_expired(Connection::Clock::time_point now);

  // Closes the connections that owe nothing: those whose client has sent no
  // byte yet, and those already past their reply. Returns how many are left.
  std::size_t cut_idle(Connection::Cut why);
  // Closes every connection.
  void cut_all(Connection::Cut why);

  // Waits until every connection has finished.
  awaitable<void> until_empty();

  std::size_t size() const { return open_; }

 private:
  friend class Connection;
  void add(Connection& connection);
  void remove(Connection& connection);
  void link_newest(Connection& connection);
  void unlink(Connection& connection);

  std::chrono::milliseconds timeout_;
  std::size_t open_ = 0;
  bool admitting_ = true;
  Connection* oldest_ = nullptr;
  Connection* newest_ = nullptr;
  // Never expires: cancel() is how waiters in wait_for_room() and until_empty() are
  // told that something changed, after which they look again.
  asio::steady_timer changed_;
};

}  // namespace tcpecho

// The server's live connections: how many there may be, which ones are open,
// and in which order their deadlines fall.
//
// A connection takes a Permit before it is even accepted, so clients past
// --max-connections wait in the kernel's listen backlog instead of costing us
// memory. Every deadline is "last activity + --timeout", and a connection
// moves to the back of the list whenever its deadline moves, so the list is
// always sorted by deadline: one timer watching its head enforces them all,
// with nothing allocated per connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include "asio_compat.hpp"

namespace tcpecho {

class Connections;

// One slot under the connection limit. Destroying it frees the slot.
class Permit {
 public:
  Permit(Permit&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
  Permit& operator=(Permit&&) = delete;
  ~Permit();

 private:
  friend class Connections;
  explicit Permit(Connections* owner) : owner_(owner) {}
  Connections* owner_;
};

// An accepted connection as the server tracks it. It lives in the frame of the
// coroutine that serves the connection and is listed for exactly that long.
class Connection {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Phase {
    awaiting_message,  // nothing received yet: safe to close at shutdown
    receiving,         // bytes received, reply owed: gets the grace period
    lingering,         // reply sent, draining the client's leftovers
  };
  enum class Cut { no, timed_out, shutting_down };

  Connection(Connections& list, Permit permit, tcp::socket& socket);
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
  tcp::socket& socket_;
  Clock::time_point deadline_;
  Connection* previous_ = nullptr;
  Connection* next_ = nullptr;
};

class Connections {
 public:
  // `timeout` zero: no deadlines.
  Connections(io_executor executor, std::size_t limit, std::chrono::milliseconds timeout);

  // Waits for a free slot. Empty once stop_admitting() has been called.
  awaitable<std::optional<Permit>> admit();
  void stop_admitting();

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
  friend class Permit;
  friend class Connection;
  void release_permit();
  void add(Connection& connection);
  void remove(Connection& connection);
  void link_newest(Connection& connection);
  void unlink(Connection& connection);
  void notify_all() { changed_.cancel(); }

  std::size_t limit_;
  std::chrono::milliseconds timeout_;
  std::size_t permits_ = 0;
  std::size_t open_ = 0;
  bool admitting_ = true;
  Connection* oldest_ = nullptr;
  Connection* newest_ = nullptr;
  // Never expires: cancel() is how waiters in admit() and until_empty() are
  // told that something changed, after which they look again.
  asio::steady_timer changed_;
};

}  // namespace tcpecho

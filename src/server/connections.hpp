// One thread's live connections: which ones are open, what each owes, and in
// which order their deadlines fall.
//
// Each holds a Permit of the server's ConnectionLimit. Every deadline is
// "accept + --timeout" (reply mode: the whole exchange) or "last activity +
// --timeout" (echo mode), and a connection moves to the back of the list
// whenever its deadline moves, so the list is always sorted by deadline: one
// timer watching its head enforces them all, with nothing allocated per
// connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "listen/connection_limit.hpp"
#include "net/peer_address.hpp"
#include "server/admission.hpp"
#include "net/stream.hpp"
#include "transport/link.hpp"

namespace tcpecho {

class Connections;

// Why the server closed a connection under its coroutine's feet: what the
// connection's reads and writes then fail with.
enum class Cut { timed_out = 1, shutting_down };
asio::error_code make_error_code(Cut cut);
bool is_cut(const asio::error_code& error, Cut cut);
// Why a connection ended, in words: "timed out after 10s" for a deadline,
// the error's own message otherwise.
std::string ending_text(const asio::error_code& error, std::chrono::milliseconds timeout);

// An accepted connection as the server holds it, in the frame of the
// coroutine that serves it (its mode's: Server::echo(), Server::exchange()):
// its byte stream, its peer, and its place in the list. It moves into that
// frame when the coroutine is made, taking its own place in the list along.
// The Link tells it of its progress (Activity), which is how its deadline
// and its phase follow the exchange.
class Connection final : private Activity {
 public:
  using Clock = std::chrono::steady_clock;

  enum class Phase {
    awaiting_message,  // nothing received yet: safe to close at shutdown
    receiving,         // bytes received, reply owed: gets the grace period
    lingering,         // reply sent, draining the client's leftovers
  };

  // Reply mode: the whole exchange has --timeout from accept. Echo mode: the
  // deadline moves with each read or write.
  enum class Deadline : bool { from_accept, from_activity };

  Connection(Connections& list, Permit permit, Socket socket, PeerAddress peer, Deadline deadline);
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  ~Connection();

  // Reply mode: the reply is out, nothing is owed any more.
  void settle();
  // Its client was admitted: with --max-per-client, it counts until its end.
  void admitted_by(Admission& admission) {
    if (admission.counts()) admission_ = &admission;
  }

  Link link;
  PeerAddress peer;
  const Clock::time_point accepted_at = Clock::now();

 private:
  friend class Connections;
  void moved(std::size_t bytes_read) override;
  void close(Cut why);
  // Also true when the bytes are still in the kernel, not yet read by us.
  bool has_received_anything() const;

  Connections* list_;  // none once moved from
  Permit permit_;
  Admission* admission_ = nullptr;  // where its client counts, if anywhere
  Phase phase_ = Phase::awaiting_message;
  Deadline deadline_kind_;
  bool settled_ = false;
  Clock::time_point deadline_;
  Connection* previous_ = nullptr;
  Connection* next_ = nullptr;
};

class Connections {
 public:
  // `timeout` zero: no deadlines. `busy` counts, over every thread, the
  // connections that owe something; `on_idle` runs when it falls to zero,
  // `on_closed` as each connection closes.
  Connections(io_executor executor, std::chrono::milliseconds timeout,
              std::atomic<std::size_t>& busy, std::function<void()> on_idle,
              std::function<void(const Connection&)> on_closed);

  // Waits until `limit` has a free slot; false once stop_admitting() has been
  // called. Another thread may take the slot first: take it with try_take().
  awaitable<bool> wait_for_room(const ConnectionLimit& limit);
  void stop_admitting();
  // Wakes wait_for_room() and until_empty() to look again.
  void notify_all() { changed_.cancel(); }

  // Closes every connection whose deadline has passed, and returns the next
  // deadline still ahead, if any.
  std::optional<Connection::Clock::time_point> cut_expired(Connection::Clock::time_point now);

  // Closes the connections that owe nothing: those whose client has sent no
  // byte yet, and those already past their reply. Returns how many are left.
  std::size_t cut_idle(Cut why);
  // Closes every connection.
  void cut_all(Cut why);

  // Waits until every connection has finished.
  awaitable<void> until_empty();

 private:
  friend class Connection;
  void add(Connection& connection);
  // It has moved: its neighbours are told its new place.
  void moved_to(Connection& connection);
  void remove(Connection& connection);
  void touch(Connection& connection);
  void link_newest(Connection& connection);
  void unlink(Connection& connection);

  std::chrono::milliseconds timeout_;
  std::atomic<std::size_t>& busy_;
  std::function<void()> on_idle_;
  std::function<void(const Connection&)> on_closed_;
  std::size_t open_ = 0;
  bool admitting_ = true;
  Connection* oldest_ = nullptr;
  Connection* newest_ = nullptr;
  // Never expires: cancel() is how waiters in wait_for_room() and until_empty() are
  // told that something changed, after which they look again.
  asio::steady_timer changed_;
};

}  // namespace tcpecho

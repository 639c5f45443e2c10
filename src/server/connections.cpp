// One thread's live connections in deadline order: see connections.hpp.
#include "server/connections.hpp"

#include "output/output.hpp"

namespace tcpecho {
namespace {

class CutCategory final : public asio::error_category {
 public:
  const char* name() const noexcept override { return "tcpecho.cut"; }
  std::string message(int value) const override {
    return static_cast<Cut>(value) == Cut::timed_out ? "timed out" : "server shutting down";
  }
};

const CutCategory cut_category;

}  // namespace

asio::error_code make_error_code(Cut cut) { return {static_cast<int>(cut), cut_category}; }

bool is_cut(const asio::error_code& error, Cut cut) { return error == make_error_code(cut); }

std::string ending_text(const asio::error_code& error, std::chrono::milliseconds timeout) {
  if (is_cut(error, Cut::timed_out)) return "timed out after " + seconds_text(timeout);
  return error.message();
}

Connection::Connection(Connections& list, Permit permit, Socket socket, PeerAddress peer,
                       Deadline deadline)
    : link(std::move(socket)),
      peer(std::move(peer)),
      list_(&list),
      permit_(std::move(permit)),
      deadline_kind_(deadline) {
  link.activity = this;
  list_->add(*this);
}

Connection::Connection(Connection&& other) noexcept
    : link(std::move(other.link)),
      peer(std::move(other.peer)),
      accepted_at(other.accepted_at),
      list_(std::exchange(other.list_, nullptr)),
      permit_(std::move(other.permit_)),
      admission_(other.admission_),
      phase_(other.phase_),
      deadline_kind_(other.deadline_kind_),
      settled_(other.settled_),
      deadline_(other.deadline_),
      previous_(other.previous_),
      next_(other.next_) {
  link.activity = this;
  list_->moved_to(*this);
}

// Where every connection is closed: when its coroutine ends, whichever way.
Connection::~Connection() {
  if (list_ == nullptr) return;
  tcpecho::close(link);
  if (admission_ != nullptr) admission_->leave(peer);
  settle();
  list_->remove(*this);
}

void Connection::settle() {
  phase_ = Phase::lingering;
  if (std::exchange(settled_, true)) return;
  if (--list_->busy_ == 0) list_->on_idle_();
}

void Connection::moved(std::size_t bytes_read) {
  if (bytes_read > 0 && phase_ == Phase::awaiting_message) phase_ = Phase::receiving;
  list_->touch(*this);
}

void Connection::close(Cut why) {
  if (link.cut) return;
  link.cut = make_error_code(why);
  // Closing (rather than cancelling) also fails any operation the coroutine
  // starts later, so it cannot miss the news between two reads.
  tcpecho::close(link);
}

bool Connection::has_received_anything() const {
  if (phase_ != Phase::awaiting_message) return true;
  asio::error_code error;
  return link.socket.is_open() && link.socket.available(error) > 0;
}

Connections::Connections(io_executor executor, std::chrono::milliseconds timeout,
                         std::atomic<std::size_t>& busy, std::function<void()> on_idle,
                         std::function<void(const Connection&)> on_closed)
    : timeout_(timeout),
      busy_(busy),
      on_idle_(std::move(on_idle)),
      on_closed_(std::move(on_closed)),
      changed_(executor, asio::steady_timer::time_point::max()) {}

awaitable<bool> Connections::wait_for_room(const ConnectionLimit& limit) {
  while (admitting_ && limit.full()) {
    co_await changed_.async_wait(nothrow_awaitable);
  }
  co_return admitting_;
}

void Connections::stop_admitting() {
  admitting_ = false;
  notify_all();
}

void Connections::add(Connection& connection) {
  link_newest(connection);
  ++open_;
  ++busy_;
}

void Connections::remove(Connection& connection) {
  on_closed_(connection);
  unlink(connection);
  if (--open_ == 0) notify_all();  // for until_empty()
}

void Connections::moved_to(Connection& connection) {
  (connection.previous_ != nullptr ? connection.previous_->next_ : oldest_) = &connection;
  (connection.next_ != nullptr ? connection.next_->previous_ : newest_) = &connection;
}

void Connections::touch(Connection& connection) {
  if (connection.deadline_kind_ == Connection::Deadline::from_accept || timeout_.count() == 0)
    return;
  unlink(connection);
  link_newest(connection);
}

void Connections::link_newest(Connection& connection) {
  connection.deadline_ = timeout_.count() > 0 ? Connection::Clock::now() + timeout_
                                              : Connection::Clock::time_point::max();
  connection.previous_ = newest_;
  connection.next_ = nullptr;
  (newest_ != nullptr ? newest_->next_ : oldest_) = &connection;
  newest_ = &connection;
}

void Connections::unlink(Connection& connection) {
  (connection.previous_ != nullptr ? connection.previous_->next_ : oldest_) = connection.next_;
  (connection.next_ != nullptr ? connection.next_->previous_ : newest_) = connection.previous_;
}

std::optional<Connection::Clock::time_point> Connections::cut_expired(
    Connection::Clock::time_point now) {
  for (Connection* c = oldest_; c != nullptr; c = c->next_) {
    if (c->deadline_ > now) return c->deadline_;
    c->close(Cut::timed_out);
  }
  return std::nullopt;
}

std::size_t Connections::cut_idle(Cut why) {
  std::size_t left = 0;
  for (Connection* c = oldest_; c != nullptr; c = c->next_) {
    if (c->phase_ == Connection::Phase::lingering || !c->has_received_anything()) {
      c->close(why);
    } else if (!c->link.cut) {
      ++left;
    }
  }
  return left;
}

void Connections::cut_all(Cut why) {
  for (Connection* c = oldest_; c != nullptr; c = c->next_) c->close(why);
}

awaitable<void> Connections::until_empty() {
  while (open_ > 0) {
    co_await changed_.async_wait(nothrow_awaitable);
  }
}

}  // namespace tcpecho

// One thread's live connections in deadline order: see connections.hpp.
#include "server/connections.hpp"

namespace tcpecho {

Connection::Connection(Connections& list, Permit permit, Socket& socket)
    : list_(list), permit_(std::move(permit)), socket_(socket) {
  list_.add(*this);
}

Connection::~Connection() { list_.remove(*this); }

void Connection::close(Cut why) {
  if (cut != Cut::no) return;
  cut = why;
  // Closing (rather than cancelling) also fails any operation the coroutine
  // starts later, so it cannot miss the news between two reads.
  asio::error_code ignored;
  socket_.close(ignored);
}

bool Connection::has_received_anything() const {
  if (phase != Phase::awaiting_message) return true;
  asio::error_code error;
  return socket_.is_open() && socket_.available(error) > 0;
}

Connections::Connections(io_executor executor, std::chrono::milliseconds timeout)
    : timeout_(timeout), changed_(executor, asio::steady_timer::time_point::max()) {}

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
}

void Connections::remove(Connection& connection) {
  unlink(connection);
  if (--open_ == 0) notify_all();  // for until_empty()
}

void Connections::touch(Connection& connection) {
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
    c->close(Connection::Cut::timed_out);
  }
  return std::nullopt;
}

std::size_t Connections::cut_idle(Connection::Cut why) {
  std::size_t left = 0;
  for (Connection* c = oldest_; c != nullptr; c = c->next_) {
    if (c->phase == Connection::Phase::lingering || !c->has_received_anything()) {
      c->close(why);
    } else if (c->cut == Connection::Cut::no) {
      ++left;
    }
  }
  return left;
}

void Connections::cut_all(Connection::Cut why) {
  for (Connection* c = oldest_; c != nullptr; c = c->next_) c->close(why);
}

awaitable<void> Connections::until_empty() {
  while (open_ > 0) {
    co_await changed_.async_wait(nothrow_awaitable);
  }
}

}  // namespace tcpecho

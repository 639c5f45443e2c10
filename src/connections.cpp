#include "connections.hpp"

namespace tcpecho {

Permit::~Permit() {
  if (owner_ != nullptr) owner_->release_permit();
}

Connection::Connection(Connections& list, Permit permit, tcp::socket& socket,
                       Clock::time_point deadline)
    : list_(list), permit_(std::move(permit)), socket_(socket), deadline_(deadline) {
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

Connections::Connections(asio::any_io_executor executor, std::size_t limit)
    : limit_(limit), changed_(executor, asio::steady_timer::time_point::max()) {}

awaitable<std::optional<Permit>> Connections::admit() {
  while (admitting_ && permits_ >= limit_) {
    co_await changed_.async_wait(nothrow_awaitable);
  }
  if (!admitting_) co_return std::nullopt;
  ++permits_;
  co_return Permit(this);
}

void Connections::stop_admitting() {
  admitting_ = false;
  notify_all();
}

void Connections::release_permit() {
  --permits_;
  notify_all();
}

void Connections::add(Connection& connection) {
  connection.previous_ = newest_;
  if (newest_ != nullptr) {
    newest_->next_ = &connection;
  } else {
    oldest_ = &connection;
  }
  newest_ = &connection;
  ++open_;
}

void Connections::remove(Connection& connection) {
  (connection.previous_ != nullptr ? connection.previous_->next_ : oldest_) = connection.next_;
  (connection.next_ != nullptr ? connection.next_->previous_ : newest_) = connection.previous_;
  --open_;
  notify_all();
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

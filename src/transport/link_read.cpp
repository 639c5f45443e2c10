// read_some(): how a connection reads, plain or TLS (see link.hpp); and
// read_up_to(), its reads until a limit or the end.
//
// Both are asynchronous operations of their own (asio::async_compose), not
// coroutines: a quiet connection spends its life waiting in them, and a
// coroutine frame for the wait, on top of the one it is awaited from, would
// cost more than all else the connection holds. The steps, in order:
// what is there now (the inbox, TLS records already read, and the socket
// unless the last read emptied it); if nothing, a wait; after the wait, what
// is there now again. A read that may find bytes at once first lets whatever
// else is ready run (a post), so a client that keeps its socket full cannot
// keep the others waiting; it reads only then, and completes at once: the
// bytes go into the caller's buffer (the thread's scratch buffer, which the
// others read into too) only on the way back to the caller.
#include "transport/link.hpp"

namespace tcpecho {
namespace {

// Nothing to find without a wait: the last read emptied the socket, and
// neither the inbox nor TLS holds bytes.
bool nothing_held(const Link& link) {
  return link.drained && link.inbox.empty() && !(link.tls && link.tls->has_pending());
}

// What a plain socket has now: the inbox, then, unless the last read emptied
// the socket, the socket itself.
std::size_t plain_ready(Link& link, asio::mutable_buffer buffer, asio::error_code& error) {
  std::size_t n = link.inbox.take(buffer);
  error = {};
  if (!link.inbox.empty() || n == buffer.size() || link.drained) {
    if (n == 0) error = asio::error::would_block;
    return n;
  }
  const std::size_t more = read_now(link.socket, buffer + n, error);
  link.drained = error == asio::error::would_block || more < buffer.size() - n;
  n += more;
  // With bytes in hand, "nothing more yet" is no news, and the end waits for
  // the next read, which finds it again.
  if (n > 0 && (error == asio::error::would_block || error == asio::error::eof)) error = {};
  return n;
}

// What TLS has now: records in the inbox or already read, then the socket's.
std::size_t tls_ready(Link& link, asio::mutable_buffer buffer, asio::error_code& error) {
  if (!link.inbox.empty()) link.tls->stage(link.inbox.take_all());
  if (nothing_held(link)) {
    error = asio::error::would_block;
    return 0;
  }
  const std::size_t n = link.tls->read_now(buffer, error);
  link.drained =
      error == asio::error::would_block || (n < Inbox::largest && !link.tls->has_pending());
  return n;
}

class ReadSome {
 public:
  ReadSome(Link& link, asio::mutable_buffer buffer) : link_(link), buffer_(buffer) {}

  // Started, or back from its turn through the event loop.
  template <typename Self>
  void operator()(Self& self) {
    if (!had_turn_) {
      had_turn_ = true;
      if (nothing_held(link_)) return wait(self);  // the wait is a turn too
      return asio::post(std::move(self));
    }
    take_or_wait(self);
  }

  // Back from a wait for readiness: the socket is tried now.
  template <typename Self>
  void operator()(Self& self, asio::error_code error) {
    link_.drained = false;
    if (error) return self.complete(link_.reason(error), 0);
    take_or_wait(self);
  }

  // Back from a wait that read into the inbox.
  template <typename Self>
  void operator()(Self& self, asio::error_code error, std::size_t n) {
    link_.inbox.filled(n);
    link_.drained = n < link_.inbox.capacity();
    // Over TLS, whether the end is clean (close_notify first) is OpenSSL's
    // to say: it reads the end again.
    if (link_.tls && error == asio::error::eof) {
      link_.drained = false;
      error = {};
    }
    if (error) return self.complete(link_.reason(error), 0);
    take_or_wait(self);  // over TLS, a record may still be partial
  }

 private:
  // Until a connection has sent its first bytes, a wait leaves them in the
  // kernel: a server that shuts down asks the kernel (FIONREAD) whether a
  // client has said anything before it closes the connection as one that
  // owes nothing. After that, the wait is a read into the inbox, which
  // Asio's reactor does without the epoll_ctl() an async_wait() costs.
  template <typename Self>
  void wait(Self& self) {
    if (link_.tls && link_.tls->wants_write()) {
      link_.socket.async_wait(Socket::wait_write, std::move(self));
    } else if (!link_.spoken) {
      link_.socket.async_wait(Socket::wait_read, std::move(self));
    } else {
      link_.socket.async_read_some(link_.inbox.room(), std::move(self));
    }
  }

  // Completes with what there is now, or waits for it.
  template <typename Self>
  void take_or_wait(Self& self) {
    asio::error_code error;
    const std::size_t n = (link_.tls ? tls_ready : plain_ready)(link_, buffer_, error);
    if (error == asio::error::would_block) return wait(self);
    link_.turn.renew();  // this read went through the event loop, either way
    if (n > 0) {
      link_.spoken = true;
      if (link_.activity) link_.activity->moved(n);
    }
    self.complete(link_.reason(error), n);
  }

  Link& link_;
  asio::mutable_buffer buffer_;
  bool had_turn_ = false;
};

// Reads through the scratch buffer, appending what arrives: `bytes` takes
// room only for what came, and a connection that waits for its message holds
// none. Each read_some() completes at once with its bytes, before any other
// connection can read into the scratch buffer.
class ReadUpTo {
 public:
  ReadUpTo(Link& link, std::string& bytes, std::size_t limit)
      : link_(link), bytes_(bytes), limit_(limit) {}

  template <typename Self>
  void operator()(Self& self, asio::error_code error = {}, std::size_t n = 0) {
    bytes_.append(static_cast<const char*>(scratch_buffer().data()), n);
    if (error || bytes_.size() >= limit_) return self.complete(error, bytes_.size());
    const auto room = asio::buffer(scratch_buffer(), limit_ - bytes_.size());
    // Self as the token: read_some() completes into this operation, which
    // Asio moves along (it takes a token by reference).
    asio::async_compose<Self, void(asio::error_code, std::size_t)>(ReadSome(link_, room), self);
  }

 private:
  Link& link_;
  std::string& bytes_;
  std::size_t limit_;
};

}  // namespace

awaitable<IoResult> read_up_to(Link& link, std::string& bytes, std::size_t limit) {
  return asio::async_compose<decltype(nothrow_awaitable), void(asio::error_code, std::size_t)>(
      ReadUpTo(link, bytes, limit), nothrow_awaitable);
}

awaitable<IoResult> read_some(Link& link, asio::mutable_buffer buffer) {
  return asio::async_compose<decltype(nothrow_awaitable), void(asio::error_code, std::size_t)>(
      ReadSome(link, buffer), nothrow_awaitable);
}

}  // namespace tcpecho

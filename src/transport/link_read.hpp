// read_some() and read_up_to() (see link.hpp): how a connection reads, plain
// or TLS.
//
// Both are asynchronous operations of their own (asio::async_compose), not
// coroutines: a quiet connection spends its life waiting in them, and a
// coroutine frame for the wait, on top of the one it is awaited from, would
// cost more than all else the connection holds. For the same reason they are
// here, in a header: the coroutine that awaits one instantiates it, and with
// Asio 1.28 on holds it in its own frame (io_token, asio_compat.hpp).
//
// The steps, in order: what is there now (the inbox, TLS records already
// read, and the socket unless the last read emptied it); if nothing, a wait;
// after the wait, what is there now again. A read that may find bytes at once
// first lets whatever else is ready run (a post), so a client that keeps its
// socket full cannot keep the others waiting; it reads only then, and
// completes at once: the bytes go into the caller's buffer (the thread's
// scratch buffer, which the others read into too) only on the way back to
// the caller. The longer steps are in link_read.cpp; the one-line tests a
// read makes each time stay here, where the operation inlines them.
#pragma once

#include <string>

#include "transport/link.hpp"

namespace tcpecho {
namespace reading {

// Nothing to find without a wait: the last read emptied the socket, and
// neither the inbox nor TLS holds bytes.
inline bool nothing_held(const Link& link) {
  return link.drained && link.inbox.empty() && !(link.tls && link.tls->has_pending());
}
// What there is now, moved into `buffer`; would_block if nothing.
std::size_t take_now(Link& link, asio::mutable_buffer buffer, asio::error_code& error);
// A wait read `n` bytes into the inbox, or ended with `error` (which it
// clears where the end is OpenSSL's to judge).
void inbox_filled(Link& link, asio::error_code& error, std::size_t n);

enum class Wait { writable, readable, into_inbox };
// Until a connection has sent its first bytes, a wait leaves them in the
// kernel: a server that shuts down asks the kernel (FIONREAD) whether a
// client has said anything before it closes the connection as one that owes
// nothing. After that, the wait is a read into the inbox, which Asio's
// reactor does without the epoll_ctl() an async_wait() costs.
inline Wait next_wait(const Link& link) {
  if (link.tls && link.tls->wants_write()) return Wait::writable;
  return link.spoken ? Wait::into_inbox : Wait::readable;
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
    inbox_filled(link_, error, n);
    if (error) return self.complete(link_.reason(error), 0);
    take_or_wait(self);  // over TLS, a record may still be partial
  }

 private:
  template <typename Self>
  void wait(Self& self) {
    switch (next_wait(link_)) {
      case Wait::writable:
        return link_.socket.async_wait(Socket::wait_write, std::move(self));
      case Wait::readable:
        return link_.socket.async_wait(Socket::wait_read, std::move(self));
      case Wait::into_inbox:
        return link_.socket.async_read_some(link_.inbox.room(), std::move(self));
    }
  }

  template <typename Self>
  void take_or_wait(Self& self) {
    asio::error_code error;
    const std::size_t n = take_now(link_, buffer_, error);
    if (error == asio::error::would_block) return wait(self);
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

}  // namespace reading

inline auto read_some(Link& link, asio::mutable_buffer buffer) {
  return asio::async_compose<decltype(io_token), void(asio::error_code, std::size_t)>(
      reading::ReadSome(link, buffer), io_token);
}

inline auto read_up_to(Link& link, std::string& bytes, std::size_t limit) {
  return asio::async_compose<decltype(io_token), void(asio::error_code, std::size_t)>(
      reading::ReadUpTo(link, bytes, limit), io_token);
}

}  // namespace tcpecho

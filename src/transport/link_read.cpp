// The steps of a connection's reads (link_read.hpp), which need not be
// templates: what there is now, plain or TLS, and what a wait brought.
#include "transport/link_read.hpp"

namespace tcpecho::reading {
namespace {

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

}  // namespace

std::size_t take_now(Link& link, asio::mutable_buffer buffer, asio::error_code& error) {
  const std::size_t n = (link.tls ? tls_ready : plain_ready)(link, buffer, error);
  if (error == asio::error::would_block) return n;
  link.turn.renew();  // this read went through the event loop, either way
  if (n > 0) {
    link.spoken = true;
    if (link.activity) link.activity->moved(n);
  }
  return n;
}

void inbox_filled(Link& link, asio::error_code& error, std::size_t n) {
  link.inbox.filled(n);
  link.drained = n < link.inbox.capacity();
  // Over TLS, whether the end is clean (close_notify first) is OpenSSL's to
  // say: it reads the end again.
  if (link.tls && error == asio::error::eof) {
    link.drained = false;
    error = {};
  }
}

}  // namespace tcpecho::reading

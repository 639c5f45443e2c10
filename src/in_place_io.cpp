#include "in_place_io.hpp"

#include <sys/epoll.h>

#include <cstdint>

namespace tcpecho {
namespace {

#ifdef TCPECHO_KNOWS_ASIO_REACTOR
// What Asio's epoll reactor knows about a socket is private to it. Naming a
// private member is allowed in an explicit instantiation, and only there: each
// instantiation of Expose below hands a pointer to one member out through a
// friend function of its tag. Checked against Asio 1.22.1 only; other
// versions read as Asio itself does.
template <typename Tag, typename Tag::type Member>
struct Expose {
  friend typename Tag::type member(Tag) { return Member; }
};
using Reactor = asio::detail::epoll_reactor;
using Descriptor = Reactor::descriptor_state;
// Whether the next operation of each kind calls the system at once.
struct TriesFirst {
  using type = bool (Descriptor::*)[Reactor::max_ops];
  friend type member(TriesFirst);
};
template struct Expose<TriesFirst, &Descriptor::try_speculative_>;
// The events Asio asks epoll for whenever it re-arms the socket.
struct Registered {
  using type = std::uint32_t Descriptor::*;
  friend type member(Registered);
};
template struct Expose<Registered, &Descriptor::registered_events_>;
// The events of epoll's last report on the socket.
struct LastReport {
  using type = unsigned int asio::detail::scheduler_operation::*;
  friend type member(LastReport);
};
template struct Expose<LastReport, &asio::detail::scheduler_operation::task_result_>;

Descriptor* descriptor(tcp::socket& socket) {
  return detail::SocketInternals::of(socket).reactor_data_;
}

bool reads_first(tcp::socket& socket) {
  Descriptor* state = descriptor(socket);
  return state == nullptr || (state->*member(TriesFirst{}))[Reactor::read_op];
}

// Correct only when every byte there is to read has a report from epoll still
// to come (Asio asks for edges: each arrival is reported once). True straight
// after a read found nothing, or emptied the socket of bytes and of the end
// of the stream; not once Asio has polled epoll again.
void wait_before_reading(tcp::socket& socket) {
  if (Descriptor* state = descriptor(socket))
    (state->*member(TriesFirst{}))[Reactor::read_op] = false;
}

// Whether epoll has reported that the peer closed its side, or urgent data
// (which stops a read short), or an error. A read that ends short may have
// taken the end of the stream with the last bytes, and the end, still to be
// read, will not be reported again.
bool end_may_be_there(tcp::socket& socket) {
  Descriptor* state = descriptor(socket);
  if (state == nullptr || (state->*member(Registered{}) & EPOLLRDHUP) == 0) return true;
  // (A C-style cast may convert to a private base class.)
  const unsigned int last = ((asio::detail::scheduler_operation*)state)->*member(LastReport{});
  return (last & (EPOLLRDHUP | EPOLLPRI | EPOLLERR | EPOLLHUP)) != 0;
}
#else
bool reads_first(tcp::socket&) { return true; }
void wait_before_reading(tcp::socket&) {}
bool end_may_be_there(tcp::socket&) { return true; }
#endif

}  // namespace

void watch_for_peer_close(tcp::socket& socket) {
#ifdef TCPECHO_KNOWS_ASIO_REACTOR
  if (Descriptor* state = descriptor(socket)) state->*member(Registered{}) |= EPOLLRDHUP;
#else
  (void)socket;
#endif
}

awaitable<std::tuple<asio::error_code, std::size_t>> read_some_when_ready(
    tcp::socket& socket, asio::mutable_buffer buffer, HandlerSlot& slot) {
  asio::error_code error = asio::error::would_block;
  std::size_t received = 0;
  if (reads_first(socket)) received = socket.read_some(buffer, error);
  if (error == asio::error::would_block) {
    wait_before_reading(socket);  // this read found nothing
    // Asio reads when epoll reports the socket readable, and resumes this
    // coroutine from there: no poll of epoll comes between.
    std::tie(error, received) =
        co_await socket.async_read_some(buffer, slot.bind(nothrow_awaitable));
  }
  if (!error && received < buffer.size() && !end_may_be_there(socket)) wait_before_reading(socket);
  co_return std::tuple(error, received);
}

awaitable<std::tuple<asio::error_code, std::size_t>> write_in_place(
    tcp::socket& socket, asio::const_buffer bytes, tcp::socket::message_flags flags) {
  asio::error_code error;
  std::size_t written = socket.send(bytes, flags, error);
  if (error == asio::error::would_block) error = {};
  if (!error && written < bytes.size()) {
    // The rest waits for room in Asio's own write, which asks epoll to report
    // room once per socket (an async_wait() would re-arm it every time).
    auto [rest_error, rest] =
        co_await asio::async_write(socket, bytes + written, nothrow_awaitable);
    error = rest_error;
    written += rest;
  }
  co_return std::tuple(error, written);
}

}  // namespace tcpecho

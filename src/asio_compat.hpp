// The one place that knows which Asio we are built against.
//
// Debian 12 ships Asio 1.22.1, where `as_tuple` still lives in
// asio::experimental; Asio 1.23 promoted it to asio::as_tuple and later
// releases dropped the experimental alias. Everything else in tcpecho writes
// `nothrow_awaitable`, and in_place_io.cpp asks TCPECHO_KNOWS_ASIO_REACTOR
// below; neither looks at the version.
#pragma once

// Asio 1.22 only recognises clang's coroutines with libc++; clang with
// libstdc++ (the fuzzing build) has them too.
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#endif

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>

// Whether Asio's epoll reactor keeps a socket's state as in_place_io.cpp
// reads it, private members and all: checked against Asio 1.22.1 only.
#if defined(ASIO_HAS_EPOLL) && !defined(ASIO_HAS_IO_URING_AS_DEFAULT) && ASIO_VERSION == 102201
#define TCPECHO_KNOWS_ASIO_REACTOR 1
#endif

#if ASIO_VERSION >= 102300
#include <asio/as_tuple.hpp>
namespace tcpecho::detail {
using asio::as_tuple;
}
#else
#include <asio/experimental/as_tuple.hpp>
namespace tcpecho::detail {
using asio::experimental::as_tuple;
}
#endif

namespace tcpecho {

// Concurrency hints for an io_context run by one thread, which is how tcpecho
// uses every one. With `one_thread_io`, only that thread touches its sockets
// (Asio skips the lock around each socket operation), while other threads may
// still post to it. With `one_thread_only` no other thread touches it at all,
// and Asio skips the scheduler's lock too; such an io_context cannot resolve
// names asynchronously, and only it may have a signal_set.
inline constexpr int one_thread_io = ASIO_CONCURRENCY_HINT_UNSAFE_IO;
inline constexpr int one_thread_only = ASIO_CONCURRENCY_HINT_UNSAFE;

// The executor of an io_context, by its own type rather than Asio's
// type-erased any_io_executor: what is posted to it can bring an allocator.
using io_executor = asio::io_context::executor_type;

// Coroutines run on that executor too. With Asio's default, any_io_executor,
// every start, resumption and completion of a coroutine goes through type
// erasure: a tenth of the instructions a quiet exchange costs the server.
template <typename T = void>
using awaitable = asio::awaitable<T, io_executor>;
inline constexpr asio::use_awaitable_t<io_executor> use_awaitable;

// Completion token that makes `co_await op(..., nothrow_awaitable)` return
// the error code as a value instead of throwing it, so each network error is
// looked at on the line where it happens.
inline constexpr auto nothrow_awaitable = detail::as_tuple(use_awaitable);

using asio::ip::tcp;

namespace detail {
// The one way into a socket's private state: a pointer to a protected member,
// formed inside a class derived from the socket's.
struct SocketInternals : tcp::socket {
  static auto& of(tcp::socket& socket) {
    return (socket.*&SocketInternals::impl_).get_implementation();
  }
};
}  // namespace detail

// Tells Asio what it cannot know about a descriptor it is handed with
// assign(), true of one that accept4(SOCK_NONBLOCK) has just returned: it is
// non-blocking already, and no other descriptor refers to the same socket.
// Asio would otherwise make it non-blocking again before the first operation
// (an ioctl), and take it out of epoll before closing it (an epoll_ctl; closing
// the last descriptor of a socket does that itself). It also lets synchronous
// reads and writes on it fail with would_block rather than wait, as
// in_place_io.hpp needs, which non_blocking(true) would set with another
// ioctl. Asio has no public call for the first two; its reactor-based sockets
// keep all three facts in one state word.
inline void trust_nonblocking_original(tcp::socket& socket) {
#if !defined(ASIO_HAS_IOCP) && !defined(ASIO_HAS_IO_URING_AS_DEFAULT) && \
    !defined(ASIO_WINDOWS_RUNTIME)
  namespace ops = asio::detail::socket_ops;
  auto& state = detail::SocketInternals::of(socket).state_;
  state = static_cast<ops::state_type>(
      (state | ops::internal_non_blocking | ops::user_set_non_blocking) & ~ops::possible_dup);
#else
  asio::error_code ignored;  // other back ends keep no such state: ask
  socket.non_blocking(true, ignored);
#endif
}

}  // namespace tcpecho

// The one place that knows which Asio we are built against.
//
// Debian 12 ships Asio 1.22.1, where `as_tuple` still lives in
// asio::experimental; Asio 1.23 promoted it to asio::as_tuple and later
// releases dropped the experimental alias. Everything else in tcpecho writes
// `nothrow_awaitable` and never looks at the version. Nothing here, nor
// anywhere in tcpecho, touches Asio's private members: only its public API.
#pragma once

// Asio 1.22 only recognises clang's coroutines with libc++; clang with
// libstdc++ (the fuzzing build) has them too.
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(ASIO_HAS_CO_AWAIT)
#define ASIO_HAS_CO_AWAIT 1
#endif

#include <asio.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#if ASIO_VERSION >= 102800
#include <asio/deferred.hpp>
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

// The token of the I/O layer's own operations (link_read.hpp), which are
// awaited like those: `co_await read_some(...)` gives (error, n). Newer Asio
// awaits an operation made with `deferred` in the awaiting coroutine's own
// frame (since 1.24; asked for here from 1.28, tested with 1.38.2); with
// use_awaitable, every operation awaited holds a coroutine frame of its own
// as long as it waits (about 200 bytes in each quiet connection).
#if ASIO_VERSION >= 102800
inline constexpr auto io_token = detail::as_tuple(asio::deferred);
#else
inline constexpr auto io_token = nothrow_awaitable;
#endif

using asio::ip::tcp;

}  // namespace tcpecho

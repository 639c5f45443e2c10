// Reads and writes that finish on the spot when the socket is ready, and wait
// in Asio's reactor only when it is not.
//
// Asio's async_read_some() and async_write() try the system call at once as
// well, but even when it succeeds the coroutine resumes only on a later turn
// of the event loop: the completion goes through the io_context's queue, and
// often behind an epoll_wait(). Here a read that finds bytes, or a write the
// kernel takes whole, returns straight away, as in a hand-written server.
//
// They need a socket whose synchronous calls do not block, as
// accept_connection() returns: otherwise a read with nothing to read would
// stop the thread, and every other connection with it.
#pragma once

#include <cstddef>
#include <tuple>

#include "asio_compat.hpp"

namespace tcpecho {

// Reads what is there, at most `buffer.size()` bytes; waits for some first if
// nothing is. Fails with eof once the peer has closed its side.
awaitable<std::tuple<asio::error_code, std::size_t>> read_some_in_place(
    tcp::socket& socket, asio::mutable_buffer buffer);

// Writes all of `bytes`, waiting whenever the socket's send buffer is full.
// `flags` are send()'s: MSG_MORE, say, to send a shutdown() in the same segment.
awaitable<std::tuple<asio::error_code, std::size_t>> write_in_place(
    tcp::socket& socket, asio::const_buffer bytes, tcp::socket::message_flags flags = 0);

}  // namespace tcpecho

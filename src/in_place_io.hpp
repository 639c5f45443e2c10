// Reads and writes that finish on the spot when the socket is ready, and wait
// in Asio's reactor only when it is not.
//
// Asio's async_read_some() and async_write() try the system call at once as
// well, but even when it succeeds the coroutine resumes only on a later turn
// of the event loop: the completion goes through the io_context's queue, and
// often behind an epoll_wait(). Here a read that finds bytes, or a write the
// kernel takes whole, returns straight away, as in a hand-written server.
//
// A hand-written server also reads only when epoll has said there is
// something to read, where Asio tries every read first: read_some_when_ready()
// reads that way too, knowing some of Asio's reactor's private state (Asio
// 1.22.1 only; elsewhere it reads as Asio does).
//
// They need a socket whose synchronous calls do not block, as
// accept_connection() returns: otherwise a read with nothing to read would
// stop the thread, and every other connection with it. And only the one
// thread that runs the socket's io_context may use them.
#pragma once

#include <cstddef>
#include <tuple>

#include "asio_compat.hpp"
#include "handler_slot.hpp"

namespace tcpecho {

// Writes all of `bytes`, waiting whenever the socket's send buffer is full.
// `flags` are send()'s: MSG_MORE, say, to send a shutdown() in the same segment.
awaitable<std::tuple<asio::error_code, std::size_t>> write_in_place(
    tcp::socket& socket, asio::const_buffer bytes, tcp::socket::message_flags flags = 0);

// Has epoll tell Asio when the peer closes its side (EPOLLRDHUP), from the
// socket's next wait on: Asio re-arms a socket with every async_wait().
void watch_for_peer_close(tcp::socket& socket);

// Reads what is there, at most `buffer.size()` bytes, or waits for some, as a
// hand-written epoll server does: once a read has emptied the socket, the
// next one waits for epoll to report more before it calls recv(). (Asio calls
// it at once, and on a connection whose peer has not answered yet that call
// fails: on an echo connection, nearly every time.) Fails with eof once the
// peer has closed its side. Waits go through `slot`.
//
// Only a read that found nothing is known to have emptied the socket, unless
// the socket is watched for its peer's close and waited on since: then a
// read that ends short is known to as well.
awaitable<std::tuple<asio::error_code, std::size_t>> read_some_when_ready(
    tcp::socket& socket, asio::mutable_buffer buffer, HandlerSlot& slot);

}  // namespace tcpecho

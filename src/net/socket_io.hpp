// How a connection is read and written, reactor style, on Asio's public
// API: one non-blocking system call at a time, into and out of one buffer per
// thread (see ScratchBuffer), as a hand-written epoll server does; and, when
// a call would block, a wait for readiness (async_wait) before the next.
//
// Why not async_read_some() everywhere? Its buffer must exist, per
// connection, for as long as the read is pending, which for a quiet
// connection is forever; a read into a thread's buffer the moment the bytes
// are there keeps memory following the bytes a client sent, not the number
// of clients. The server's sessions make one exception: a quiet echo
// connection waits with a read into a 256-byte inbox of its own, because
// Asio re-arms the socket with an epoll_ctl() for every async_wait and never
// for a read.
//
// Why one read per turn? A client that writes as fast as it can keeps its
// socket readable; reading it in a loop would starve every other connection
// on the thread. Each wait goes through the event loop, behind everything
// else that is ready, so every connection takes its turn.
//
// Each system call here is non-blocking by its flags (MSG_DONTWAIT), whatever
// the socket's mode and whatever Asio believes it to be. A socket is used
// only by the one thread that runs its io_context.
#pragma once

#include <cstddef>
#include <tuple>
#include <vector>

#include "net/stream.hpp"

namespace tcpecho {

// Waits until the socket has something to read (bytes, the end of the
// stream, an error), then reads at most `buffer.size()` bytes of it. Fails
// with eof once the peer has closed its side. For a socket that was just
// read: one that may have something already is read with read_now() first.
awaitable<std::tuple<asio::error_code, std::size_t>> read_when_ready(Socket& socket,
                                                                     asio::mutable_buffer buffer);

// Reads what is there now, at most `buffer.size()` bytes: would_block if
// nothing is, eof once the peer has closed its side.
std::size_t read_now(Socket& socket, asio::mutable_buffer buffer, asio::error_code& error);

// Sends as much of `bytes` as the kernel takes now, nearly always all of it;
// a full send buffer is no error, only nothing sent. `flags` are send()'s:
// MSG_MORE, say, to send a shutdown() in the same segment.
std::size_t send_now(Socket& socket, asio::const_buffer bytes, asio::error_code& error,
                     Socket::message_flags flags = 0);

// Writes what send_now() left of `bytes` (from `sent` on), waiting for room.
// The rest is copied into `kept` first, so that `bytes` may be a buffer that
// other connections reuse while this one waits; `kept` is emptied, and its
// memory returned, once it is out. Returns the bytes written in all.
awaitable<std::tuple<asio::error_code, std::size_t>> send_rest(Socket& socket,
                                                               asio::const_buffer bytes,
                                                               std::size_t sent,
                                                               std::vector<char>& kept);

// Bytes read but not kept: one buffer per thread, which holds what a
// connection has just read until it has been written back (echo) or
// discarded (what a client sends after its message).
class ScratchBuffer {
 public:
  // As much as one read takes: the most a socket's receive queue usually
  // hands over at once on loopback.
  static constexpr std::size_t size = 64 * 1024;
  ScratchBuffer() : bytes_(size) {}
  asio::mutable_buffer buffer() { return asio::buffer(bytes_); }
  const char* data() const { return bytes_.data(); }

 private:
  std::vector<char> bytes_;
};

}  // namespace tcpecho

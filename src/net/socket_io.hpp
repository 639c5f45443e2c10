// Plain reads and writes of a socket, one non-blocking system call each, as
// a hand-written epoll server makes them; and the thread's scratch buffer
// that reads go into. transport/link.cpp builds a connection's operations
// on these (and on Asio's reactor for the waits).
//
// Each system call here is non-blocking by its flags (MSG_DONTWAIT), whatever
// the socket's mode and whatever Asio believes it to be. A socket is used
// only by the one thread that runs its io_context.
#pragma once

#include <cstddef>
#include <vector>

#include "net/stream.hpp"

namespace tcpecho {

// Reads what is there now, at most `buffer.size()` bytes: would_block if
// nothing is, eof once the peer has closed its side.
std::size_t read_now(Socket& socket, asio::mutable_buffer buffer, asio::error_code& error);

// Sends as much of `bytes` as the kernel takes now, nearly always all of it;
// a full send buffer is no error, only nothing sent. `flags` are send()'s:
// MSG_MORE, say, to send a shutdown() in the same segment.
std::size_t send_now(Socket& socket, asio::const_buffer bytes, asio::error_code& error,
                     Socket::message_flags flags = 0);

// Bytes read but not kept: one buffer per thread, which holds what a
// connection has just read until it has been written back (echo) or
// discarded (what a client sends after its message). A connection that has
// to wait keeps a copy of its own (write_all()), so a quiet one holds none.
class ScratchBuffer {
 public:
  // As much as one read takes: the most a socket's receive queue usually
  // hands over at once on loopback.
  static constexpr std::size_t size = 64 * 1024;
  ScratchBuffer() : bytes_(size) {}
  asio::mutable_buffer buffer() { return asio::buffer(bytes_); }

 private:
  std::vector<char> bytes_;
};

// This thread's ScratchBuffer.
asio::mutable_buffer scratch_buffer();

}  // namespace tcpecho

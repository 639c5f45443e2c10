// What a connection holds from accept to close (Server::Session), and the
// count of connections still owed a reply (Server::Busy): shared by the files
// that serve a connection, server_sessions.cpp (accepted, waiting),
// reply_mode.cpp and echo_mode.cpp.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>

#include "server/server.hpp"
#include "transport/link.hpp"

namespace tcpecho {

// Counts a connection as busy from accept until its reply is out (echo: until
// it ends); when none is left on any thread the server is idle again and
// says so, like the seed before accept().
class Server::Busy {
 public:
  explicit Busy(Server& server) : server_(server) { ++server_.shared_.busy; }
  ~Busy() {
    if (--server_.shared_.busy == 0 && !server_.stopping_) server_.announce_waiting();
  }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  Server& server_;
};

// Everything a connection holds from accept to close. It lives on the heap,
// not in a coroutine frame, so that a connection that has not said anything
// yet costs only this and one pending wait: the coroutine that serves it
// starts when there is something to serve (see welcome()).
struct Server::Session {
  Session(Server& server, Socket accepted, Permit permit, std::string peer)
      : link{std::move(accepted), nullptr},
        peer(std::move(peer)),
        connection(server.connections_, std::move(permit), link.socket),
        busy(std::in_place, server) {
    if (server.shared_.tls) link.tls = server.shared_.tls->accept(link.socket);
  }

  Link link;
  // The client's address as the transcript prints it, made once; empty with
  // --quiet, which prints no line about a connection.
  std::string peer;
  Connection connection;
  std::optional<Busy> busy;
  // Why the last wait for bytes failed, if it did: the connection was cut.
  asio::error_code ended;
  std::size_t echoed = 0;  // echo mode: bytes sent back so far
  bool secured = false;    // TLS: the handshake is over
  // What the wait for an echo connection read (wait_for_bytes()): room for a
  // short chunk whole, so that the wait and the read are one operation to
  // Asio's reactor, with no epoll_ctl() to re-arm the socket; a longer chunk
  // is read on from the socket, into the thread's scratch buffer. Over TLS
  // these are encrypted bytes, staged for OpenSSL to read first.
  std::array<char, 256> inbox;
  std::size_t arrived = 0;
};

}  // namespace tcpecho

// try_accept() and the listening socket it needs: see accept.hpp.
#include "listen/accept.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tcpecho {
namespace {

using Accepted = std::tuple<asio::error_code, Socket, Endpoint>;

Accepted failure(Acceptor& acceptor, asio::error_code error) {
  return Accepted(error, acceptor.get_executor(), Endpoint());
}

Endpoint endpoint_of(const sockaddr_storage& address, socklen_t length) {
  Endpoint peer;
  std::memcpy(peer.data(), &address, length);
  peer.resize(length);
  return peer;
}

// Hands the descriptor accept4() returned to Asio, with what accept4()
// guarantees about it.
Accepted hand_to_asio(Acceptor& acceptor, int descriptor, const Endpoint& peer) {
  Socket socket(acceptor.get_executor());
  asio::error_code error;
  socket.assign(peer.protocol(), descriptor, error);  // registers it with epoll
  if (error) {
    ::close(descriptor);
    return failure(acceptor, error);
  }
  return {error, std::move(socket), peer};
}

}  // namespace

void prepare_to_accept(Acceptor& acceptor, asio::error_code& error) {
  acceptor.native_non_blocking(true, error);
}

void start_listening(Acceptor& acceptor, asio::error_code& error) {
  acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (!error) prepare_to_accept(acceptor, error);
}

Accepted try_accept(Acceptor& acceptor, const Screen& screen) {
  for (;;) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    const int descriptor =
        ::accept4(acceptor.native_handle(), reinterpret_cast<sockaddr*>(&address), &length,
                  SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (descriptor >= 0) {
      const Endpoint peer = endpoint_of(address, length);
      if (!screen || screen(peer)) return hand_to_asio(acceptor, descriptor, peer);
      ::close(descriptor);
      return failure(acceptor, asio::error::connection_refused);
    }
    // A client that gave up while it waited in the queue, or a signal: the
    // next connection may be there already.
    if (errno == ECONNABORTED || errno == EPROTO || errno == EINTR) continue;
    return failure(acceptor, errno == EAGAIN || errno == EWOULDBLOCK
                                 ? asio::error_code(asio::error::would_block)
                                 : asio::error_code(errno, asio::error::get_system_category()));
  }
}

}  // namespace tcpecho

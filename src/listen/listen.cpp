// Where a server listens: --host resolved, sockets bound, systemd's
// adopted; see listen.hpp.
#include "listen/listen.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "exit_status.hpp"
#include "listen/accept.hpp"
#include "listen/listen_unix.hpp"
#include "net/endpoints.hpp"

namespace tcpecho {
namespace {

// SO_REUSEPORT, which Asio has no option for, as an option Asio can set
// (its SettableSocketOption requirements).
class ReusePort {
 public:
  explicit ReusePort(bool on) : value_(on ? 1 : 0) {}
  template <typename Protocol>
  int level(const Protocol&) const {
    return SOL_SOCKET;
  }
  template <typename Protocol>
  int name(const Protocol&) const {
    return SO_REUSEPORT;
  }
  template <typename Protocol>
  const int* data(const Protocol&) const {
    return &value_;
  }
  template <typename Protocol>
  std::size_t size(const Protocol&) const {
    return sizeof value_;
  }

 private:
  int value_;
};

// " (--listen SPEC)" after a message about a listener --listen gave.
std::string named(const ListenerConfig& listener) {
  return listener.spec.empty() ? "" : fmt::format(" (--listen '{}')", listener.spec);
}

std::vector<tcp::endpoint> resolve_listen_addresses(const ListenerConfig& listener,
                                                    AddressFamily family) {
  asio::io_context io;
  tcp::resolver resolver(io);
  asio::error_code error;
  const auto results =
      resolver.resolve(listener.host, std::to_string(listener.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, error);
  std::vector<tcp::endpoint> endpoints;
  for (const auto& result : results) {
    if (in_family(result.endpoint().address(), family) &&
        std::find(endpoints.begin(), endpoints.end(), result.endpoint()) == endpoints.end()) {
      endpoints.push_back(result.endpoint());
    }
  }
  if (!error && endpoints.empty()) error = no_address_of(family);
  if (error) {
    throw StartupError(ExitStatus::resolve_failed,
                       fmt::format("cannot resolve '{}'{}: {}", listener.host, named(listener),
                                   error.message()));
  }
  return endpoints;
}

StartupError cannot_listen(const tcp::endpoint& endpoint, const asio::error_code& error,
                           const ListenerConfig& listener) {
  return tcpecho::cannot_listen(
      target_text(endpoint.address().to_string(), endpoint.port(), {}) + named(listener),
      error.message());
}

void bind(Acceptor& acceptor, const tcp::endpoint& endpoint, bool shared_port,
          asio::error_code& error) {
  acceptor.open(Endpoint(endpoint).protocol(), error);
  if (!error) acceptor.set_option(Acceptor::reuse_address(true), error);
  if (!error && shared_port) acceptor.set_option(ReusePort(true), error);
  // "::" means every address, IPv4 included, whatever the system default.
  if (!error && endpoint.address().is_v6() && endpoint.address().is_unspecified()) {
    acceptor.set_option(asio::ip::v6_only(false), error);
  }
  if (!error) acceptor.bind(Endpoint(endpoint), error);
}

// `first_of_group`: the port is to be shared by this server's threads, and
// nobody else may already listen there.
Acceptor listen_at(io_executor executor, const tcp::endpoint& endpoint, bool shared_port,
                   bool first_of_group, const ListenerConfig& listener) {
  asio::error_code error;
  if (first_of_group && endpoint.port() != 0) {
    Acceptor probe(executor);
    bind(probe, endpoint, false, error);  // fails wherever anyone listens
    if (error) throw cannot_listen(endpoint, error, listener);
  }
  Acceptor acceptor(executor);
  bind(acceptor, endpoint, shared_port, error);
  if (!error) start_listening(acceptor, error);
  if (error) throw cannot_listen(endpoint, error, listener);
  return acceptor;
}

// Takes over a listening socket someone else opened (systemd, or this
// server's first thread), after checking that it is one: anything else would
// fail later in confusing ways.
Acceptor adopt(io_executor executor, int descriptor) {
  int listening = 0;
  int type = 0;
  socklen_t length = sizeof listening;
  socklen_t type_length = sizeof type;
  sockaddr_storage address{};
  socklen_t address_length = sizeof address;
  if (::getsockopt(descriptor, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) != 0 ||
      listening == 0 || ::getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &type_length) != 0 ||
      type != SOCK_STREAM ||
      ::getsockname(descriptor, reinterpret_cast<sockaddr*>(&address), &address_length) != 0 ||
      (address.ss_family != AF_INET && address.ss_family != AF_INET6 &&
       address.ss_family != AF_UNIX)) {
    throw StartupError(ExitStatus::listen_failed,
                       fmt::format("descriptor {} from the service manager is not a listening "
                                   "TCP or Unix stream socket",
                                   descriptor));
  }
  const Stream protocol(address.ss_family, address.ss_family == AF_UNIX ? 0 : IPPROTO_TCP);
  Acceptor acceptor(executor, protocol, descriptor);
  asio::error_code error;
  prepare_to_accept(acceptor, error);
  if (error) {
    throw StartupError(ExitStatus::listen_failed,
                       fmt::format("cannot use descriptor {} from the service manager: {}",
                                   descriptor, error.message()));
  }
  return acceptor;
}

// One listener's sockets, after those of the listeners before it.
void listen(io_executor executor, const ServerConfig& config, const ListenerConfig& listener,
            std::size_t index, std::vector<ListeningSocket>& sockets) {
  if (listener.inherited_socket >= 0) {
    sockets.push_back({adopt(executor, listener.inherited_socket), index});
  } else if (!listener.unix_path.empty()) {
    try {
      sockets.push_back({listen_unix(executor, listener.unix_path, config.unix_mode), index});
    } catch (const StartupError& error) {
      throw StartupError(error.status, error.what() + named(listener));
    }
  } else {
    std::uint16_t port = listener.port;
    const bool threads = config.threads > 1;
    for (auto endpoint : resolve_listen_addresses(listener, config.family)) {
      // With port 0 and a name with several addresses, all of them share the
      // port the kernel picked for the first.
      endpoint.port(port);
      auto acceptor = listen_at(executor, endpoint, threads, threads, listener);
      port = ip_endpoint(acceptor.local_endpoint()).port();
      sockets.push_back({std::move(acceptor), index});
    }
  }
}

}  // namespace

std::vector<ListeningSocket> listen(io_executor executor, const ServerConfig& config) {
  std::vector<ListeningSocket> sockets;
  const auto listeners = config.every_listener();
  try {
    for (std::size_t index = 0; index < listeners.size(); ++index)
      listen(executor, config, listeners[index], index, sockets);
  } catch (const StartupError&) {
    // The socket files of the listeners before the one that failed go too.
    for (const auto& socket : sockets) remove_unix_socket_file(listeners[socket.listener].unix_path);
    throw;
  }
  return sockets;
}

Acceptor listen_again(io_executor executor, const ListenerConfig& listener, Acceptor& first,
                      const Endpoint& at) {
  // A socket from systemd, or a Unix domain socket (a path has one listener):
  // every thread waits on the same socket, and whichever wakes first accepts.
  if (listener.inherited_socket >= 0 || at.protocol().family() == AF_UNIX)
    return adopt(executor, ::dup(first.native_handle()));
  return listen_at(executor, ip_endpoint(at), true, false, listener);
}

}  // namespace tcpecho

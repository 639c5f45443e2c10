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

std::vector<tcp::endpoint> resolve_listen_addresses(const ServerConfig& config) {
  asio::io_context io;
  tcp::resolver resolver(io);
  asio::error_code error;
  const auto results =
      resolver.resolve(config.host, std::to_string(config.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, error);
  if (error) {
    throw StartupError(ExitStatus::resolve_failed,
                       fmt::format("cannot resolve '{}': {}", config.host, error.message()));
  }
  std::vector<tcp::endpoint> endpoints;
  for (const auto& result : results) {
    if (in_family(result.endpoint().address(), config.family) &&
        std::find(endpoints.begin(), endpoints.end(), result.endpoint()) == endpoints.end()) {
      endpoints.push_back(result.endpoint());
    }
  }
  if (endpoints.empty()) {
    throw StartupError(ExitStatus::resolve_failed,
                       fmt::format("cannot resolve '{}': {}", config.host,
                                   no_address_of(config.family).message()));
  }
  return endpoints;
}

StartupError cannot_listen(const tcp::endpoint& endpoint, const asio::error_code& error) {
  return tcpecho::cannot_listen(target_text(endpoint.address().to_string(), endpoint.port(), {}),
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
                   bool first_of_group) {
  asio::error_code error;
  if (first_of_group && endpoint.port() != 0) {
    Acceptor probe(executor);
    bind(probe, endpoint, false, error);  // fails wherever anyone listens
    if (error) throw cannot_listen(endpoint, error);
  }
  Acceptor acceptor(executor);
  bind(acceptor, endpoint, shared_port, error);
  if (!error) start_listening(acceptor, error);
  if (error) throw cannot_listen(endpoint, error);
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

}  // namespace

std::vector<Acceptor> listen(io_executor executor, const ServerConfig& config) {
  std::vector<Acceptor> acceptors;
  for (int descriptor : config.inherited_sockets) acceptors.push_back(adopt(executor, descriptor));
  if (!acceptors.empty()) return acceptors;
  if (!config.unix_path.empty()) {
    acceptors.push_back(listen_unix(executor, config.unix_path, config.unix_mode));
    return acceptors;
  }

  std::uint16_t port = config.port;
  for (auto endpoint : resolve_listen_addresses(config)) {
    // With --port 0 and a name with several addresses, all of them share the
    // port the kernel picked for the first.
    endpoint.port(port);
    acceptors.push_back(listen_at(executor, endpoint, config.threads > 1, config.threads > 1));
    port = ip_endpoint(acceptors.back().local_endpoint()).port();
  }
  return acceptors;
}

std::vector<Acceptor> listen_again(io_executor executor, const ServerConfig& config,
                                   const std::vector<Endpoint>& endpoints,
                                   const std::vector<int>& descriptors) {
  std::vector<Acceptor> acceptors;
  // A socket from systemd, or a Unix domain socket (a path has one listener):
  // every thread waits on the same socket, and whichever wakes first accepts.
  if (!config.inherited_sockets.empty() || !config.unix_path.empty()) {
    for (int descriptor : descriptors) acceptors.push_back(adopt(executor, ::dup(descriptor)));
    return acceptors;
  }
  for (const auto& endpoint : endpoints)
    acceptors.push_back(listen_at(executor, ip_endpoint(endpoint), true, false));
  return acceptors;
}

}  // namespace tcpecho

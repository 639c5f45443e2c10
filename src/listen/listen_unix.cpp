// A Unix socket's path: stale files, live ones, permissions, removal; see
// listen_unix.hpp.
#include "listen/listen_unix.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "exit_status.hpp"
#include "listen/accept.hpp"
#include "listen/unix_diag.hpp"
#include "net/endpoints.hpp"

namespace tcpecho {
namespace {

bool is_abstract(const std::string& path) { return path.starts_with('@'); }

// Whether a server still listens at `path`: a socket file nobody listens on
// is only what a server that died left behind. The kernel says so without a
// word to that server; where it cannot, a connection does (refused: stale).
bool someone_listens(io_executor executor, const std::string& path) {
  if (const auto listening = listener_bound_to(path)) return *listening;
  Socket probe(executor, Stream(AF_UNIX, 0));
  asio::error_code error;
  probe.non_blocking(true, error);  // a full backlog must not hold the start up
  probe.connect(unix_endpoint(path), error);
  return error != asio::error::connection_refused;
}

// A stale socket file is removed; anything else at the path is not ours to
// remove.
void clear_stale_socket(io_executor executor, const std::string& path) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) == 0 && !S_ISSOCK(status.st_mode)) {
    throw cannot_listen(path, "a file that is not a socket is there");
  }
  if (someone_listens(executor, path)) {
    throw cannot_listen(path, asio::error_code(asio::error::address_in_use).message());
  }
  ::unlink(path.c_str());
}

void bind_and_listen(Acceptor& acceptor, const std::string& path, std::optional<mode_t> mode,
                     asio::error_code& error) {
  acceptor.bind(unix_endpoint(path), error);
  if (error) return;
  // Before listen(): until then a client's connect() is refused, so nobody
  // connects through permissions wider than those asked for.
  if (mode && !is_abstract(path) && ::chmod(path.c_str(), *mode) != 0) {
    error.assign(errno, asio::error::get_system_category());
    return;
  }
  start_listening(acceptor, error);
}

}  // namespace

Acceptor listen_unix(io_executor executor, const std::string& path, std::optional<mode_t> mode) {
  Acceptor acceptor(executor, Stream(AF_UNIX, 0));
  asio::error_code error;
  bind_and_listen(acceptor, path, mode, error);
  if (error == asio::error::address_in_use && !is_abstract(path)) {
    clear_stale_socket(executor, path);
    acceptor = Acceptor(executor, Stream(AF_UNIX, 0));
    bind_and_listen(acceptor, path, mode, error);
  }
  if (error) throw cannot_listen(path, error.message());
  return acceptor;
}

void remove_unix_socket_file(const std::string& path) {
  if (!path.empty() && !is_abstract(path)) ::unlink(path.c_str());
}

}  // namespace tcpecho

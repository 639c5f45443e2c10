// A server's Unix domain socket (--unix PATH): the one thing about listening
// that a path has and an address does not. A path can hold a socket file
// left behind by a server that died, which is replaced; one where a server
// still listens is refused, as a port in use is; the file gets the
// permissions asked for (--unix-mode), and is removed when the server stops.
// A path beginning with '@' is in Linux's abstract namespace: no file at all.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "net/stream.hpp"

namespace tcpecho {

// Bound and listening. Throws StartupError.
Acceptor listen_unix(io_executor executor, const std::string& path, std::optional<mode_t> mode);

// Removes the socket file listen_unix() made at `path`, if it made one.
void remove_unix_socket_file(const std::string& path);

}  // namespace tcpecho

// Whether a server listens on a Unix socket file, asked of the kernel
// (sock_diag(7)) instead of by connecting: a connection, even one closed at
// once, is a client to the server listening there, which would print it.
#pragma once

#include <optional>
#include <string>

namespace tcpecho {

// True if a listening socket is bound to the file at `path`, false if none
// is; nullopt where the kernel cannot say (no unix_diag, no such file).
std::optional<bool> listener_bound_to(const std::string& path);

}  // namespace tcpecho

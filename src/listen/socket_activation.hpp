// systemd socket activation, without libsystemd: the listening sockets a
// service manager opened for us and handed over as descriptors 3, 4, ...
// (the LISTEN_FDS protocol, see sd_listen_fds(3)).
#pragma once

#include <vector>

namespace tcpecho {

// The descriptors passed to this process, or none. Reads LISTEN_PID and
// LISTEN_FDS, then removes them from the environment as sd_listen_fds() does,
// and marks the descriptors close-on-exec.
std::vector<int> sockets_from_service_manager();

}  // namespace tcpecho

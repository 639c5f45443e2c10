// Listening sockets handed over by systemd: see socket_activation.hpp.
#include "listen/socket_activation.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace tcpecho {
namespace {

constexpr int first_passed_descriptor = 3;  // SD_LISTEN_FDS_START

long number_from_environment(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return -1;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' ? value : -1;
}

}  // namespace

std::vector<int> sockets_from_service_manager() {
  const long pid = number_from_environment("LISTEN_PID");
  const long count = number_from_environment("LISTEN_FDS");
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  // The variables may have been meant for a parent that exec'd us.
  if (pid != static_cast<long>(::getpid()) || count <= 0) return {};

  std::vector<int> descriptors;
  for (int fd = first_passed_descriptor; fd < first_passed_descriptor + count; ++fd) {
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    descriptors.push_back(fd);
  }
  return descriptors;
}

}  // namespace tcpecho

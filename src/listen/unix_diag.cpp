// listener_bound_to(): one NETLINK_SOCK_DIAG dump of the listening Unix
// sockets with the inode of the file each is bound to; see unix_diag.hpp.
#include "listen/unix_diag.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>

namespace tcpecho {
namespace {

// The kernel names a file's device as MAJOR << 20 | MINOR.
bool same_file(const unix_diag_vfs& bound, const struct stat& file) {
  return bound.udiag_vfs_ino == file.st_ino && bound.udiag_vfs_dev >> 20 == major(file.st_dev) &&
         (bound.udiag_vfs_dev & 0xfffff) == minor(file.st_dev);
}

bool bound_to(const nlmsghdr* header, const struct stat& file) {
  const auto* socket = static_cast<const unix_diag_msg*>(NLMSG_DATA(header));
  int length = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof *socket));
  for (auto* attribute = reinterpret_cast<const rtattr*>(socket + 1); RTA_OK(attribute, length);
       attribute = RTA_NEXT(attribute, length)) {
    if (attribute->rta_type == UNIX_DIAG_VFS &&
        same_file(*static_cast<const unix_diag_vfs*>(RTA_DATA(attribute)), file)) {
      return true;
    }
  }
  return false;
}

bool ask_for_listeners(int netlink) {
  struct {
    nlmsghdr header;
    unix_diag_req request;
  } message{};
  message.header.nlmsg_len = sizeof message;
  message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  message.request.sdiag_family = AF_UNIX;
  message.request.udiag_states = 1u << TCP_LISTEN;
  message.request.udiag_show = UDIAG_SHOW_VFS;
  return ::send(netlink, &message, sizeof message, 0) == static_cast<ssize_t>(sizeof message);
}

// Reads the dump to its end: whether one of them is bound to `file`.
std::optional<bool> find_in_answer(int netlink, const struct stat& file) {
  alignas(nlmsghdr) std::array<char, 32 * 1024> buffer;
  bool found = false;
  for (;;) {
    ssize_t n = ::recv(netlink, buffer.data(), buffer.size(), 0);
    if (n <= 0) return std::nullopt;
    for (auto* header = reinterpret_cast<const nlmsghdr*>(buffer.data()); NLMSG_OK(header, n);
         header = NLMSG_NEXT(header, n)) {
      if (header->nlmsg_type == NLMSG_DONE) return found;
      if (header->nlmsg_type == NLMSG_ERROR) return std::nullopt;
      found = found || bound_to(header, file);
    }
  }
}

}  // namespace

std::optional<bool> listener_bound_to(const std::string& path) {
  struct stat file {};
  if (::stat(path.c_str(), &file) != 0) return std::nullopt;
  const int netlink = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (netlink < 0) return std::nullopt;
  std::optional<bool> answer;
  if (ask_for_listeners(netlink)) answer = find_in_answer(netlink, file);
  ::close(netlink);
  return answer;
}

}  // namespace tcpecho

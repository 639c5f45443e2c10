/* Reference for the benchmarks: an RFC 862 echo server in plain C over epoll,
 * as small as a correct one can be. One thread, level-triggered, a 64 KiB
 * buffer per read; a write the client is not ready for waits for EPOLLOUT.
 *
 * Usage: echo_epoll [PORT]   (0 or none: any free port; prints "port N")
 *        echo_epoll /PATH    (a Unix domain socket there; prints "unix PATH") */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "listen_loopback.h"

struct pending { char *data; size_t size, sent; };

static int listen_unix(const char *path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  strncpy(address.sun_path, path, sizeof address.sun_path - 1);
  unlink(path);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) || listen(fd, SOMAXCONN)) {
    perror("listen");
    exit(1);
  }
  printf("unix %s\n", path);
  fflush(stdout);
  return fd;
}

int main(int argc, char **argv) {
  static char buffer[65536];
  static struct pending pending[65536];
  struct epoll_event event = {.events = EPOLLIN}, events[256];
  int listener = argc > 1 && argv[1][0] == '/' ? listen_unix(argv[1])
                                                : listen_on(argc > 1 ? atoi(argv[1]) : 0);
  int poll = poll_listener(listener);
  for (;;) {
    int ready = epoll_wait(poll, events, 256, -1);
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int client;
        while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) watch_client(poll, client);
        continue;
      }
      struct pending *p = &pending[fd];
      if (p->data) { /* finish an earlier write before reading more */
        ssize_t n = write(fd, p->data + p->sent, p->size - p->sent);
        if (n < 0 && errno != EAGAIN) goto close_it;
        if (n > 0 && (p->sent += n) == p->size) {
          free(p->data);
          p->data = NULL;
          event.events = EPOLLIN;
          event.data.fd = fd;
          epoll_ctl(poll, EPOLL_CTL_MOD, fd, &event);
        }
        continue;
      }
      ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EAGAIN) continue;
      if (n <= 0) goto close_it;
      ssize_t sent = write(fd, buffer, n);
      if (sent < 0 && errno != EAGAIN) goto close_it;
      if (sent < n) {
        if (sent < 0) sent = 0;
        p->size = n - sent;
        p->sent = 0;
        p->data = malloc(p->size);
        memcpy(p->data, buffer + sent, p->size);
        event.events = EPOLLOUT;
        event.data.fd = fd;
        epoll_ctl(poll, EPOLL_CTL_MOD, fd, &event);
      }
      continue;
    close_it:
      free(p->data);
      p->data = NULL;
      close(fd);
    }
  }
}

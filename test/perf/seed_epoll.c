/* Reference for the benchmarks: the seed's server (read 17 bytes or until
 * EOF, reply "Goodbye, client!", close) in plain C over epoll, as small as a
 * correct one can be. Prints nothing per connection.
 *
 * Usage: seed_epoll [PORT]   (0 or none: any free port; prints "port N") */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define MESSAGE_LENGTH 17
static const char reply[] = "Goodbye, client!";

int main(int argc, char **argv) {
  static unsigned char received[65536]; /* bytes of the message so far, by fd */
  struct epoll_event event = {.events = EPOLLIN}, events[256];
  struct sockaddr_in address = {.sin_family = AF_INET,
                                .sin_port = htons(argc > 1 ? atoi(argv[1]) : 0),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  int poll = epoll_create1(0);
  signal(SIGPIPE, SIG_IGN);
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(listener, (struct sockaddr *)&address, sizeof address) ||
      listen(listener, SOMAXCONN)) {
    perror("listen");
    return 1;
  }
  getsockname(listener, (struct sockaddr *)&address, &length);
  printf("port %d\n", ntohs(address.sin_port));
  fflush(stdout);
  event.data.fd = listener;
  epoll_ctl(poll, EPOLL_CTL_ADD, listener, &event);
  for (;;) {
    int ready = epoll_wait(poll, events, 256, -1);
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd, client;
      if (fd == listener) {
        while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          received[client] = 0;
          event.data.fd = client;
          epoll_ctl(poll, EPOLL_CTL_ADD, client, &event);
        }
        continue;
      }
      char message[MESSAGE_LENGTH];
      ssize_t n = read(fd, message, MESSAGE_LENGTH - received[fd]);
      if (n < 0 && errno == EAGAIN) continue;
      if (n > 0 && (received[fd] += n) < MESSAGE_LENGTH) continue;
      if (n >= 0) write(fd, reply, sizeof reply - 1); /* 16 bytes always fit */
      close(fd);
    }
  }
}

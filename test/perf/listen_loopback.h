/* What the echo reference servers share: a non-blocking listening socket on
 * 127.0.0.1, its port announced on stdout as "port N" (compare.py reads it),
 * the epoll set that watches it, and how a new client joins that set. */
#ifndef LISTEN_LOOPBACK_H
#define LISTEN_LOOPBACK_H

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>

static int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, (struct sockaddr *)&address, sizeof address) || listen(fd, SOMAXCONN)) {
    perror("listen");
    exit(1);
  }
  getsockname(fd, (struct sockaddr *)&address, &length);
  printf("port %d\n", ntohs(address.sin_port));
  fflush(stdout);
  return fd;
}

/* An epoll set watching `listener` for clients; SIGPIPE is ignored, so a
 * write to a client that has gone fails instead of ending the server. */
static int poll_listener(int listener) {
  struct epoll_event event = {.events = EPOLLIN, .data.fd = listener};
  int poll = epoll_create1(0);
  signal(SIGPIPE, SIG_IGN);
  epoll_ctl(poll, EPOLL_CTL_ADD, listener, &event);
  return poll;
}

/* A new client: without Nagle's delay, watched for reading. */
static void watch_client(int poll, int client) {
  int one = 1;
  struct epoll_event event = {.events = EPOLLIN, .data.fd = client};
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  epoll_ctl(poll, EPOLL_CTL_ADD, client, &event);
}

#endif

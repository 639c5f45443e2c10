/* Reference for the TLS benchmarks: an RFC 862 echo server over TLS in plain
 * C, epoll and non-blocking OpenSSL, as small as a correct one can be. One
 * thread, level-triggered; OpenSSL reads and writes the socket itself, and
 * with SSL_MODE_RELEASE_BUFFERS holds no record buffers for a quiet
 * connection. A record the client is not ready for waits for EPOLLOUT.
 *
 * Usage: tls_echo_epoll CERT KEY [PORT]   (0 or none: any free port; prints "port N") */
#define _GNU_SOURCE /* accept4 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "listen_loopback.h"

struct connection { SSL *ssl; char *data; size_t size; };

static SSL_CTX *context(const char *cert, const char *key) {
  SSL_CTX *tls = SSL_CTX_new(TLS_server_method());
  SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION);
  SSL_CTX_set_mode(tls, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_session_id_context(tls, (const unsigned char *)"ref", 3);
  if (SSL_CTX_use_certificate_chain_file(tls, cert) != 1 ||
      SSL_CTX_use_PrivateKey_file(tls, key, SSL_FILETYPE_PEM) != 1) {
    ERR_print_errors_fp(stderr);
    exit(1);
  }
  return tls;
}

/* Waits for what OpenSSL needs next: the socket readable, or writable. */
static void want(int poll, int fd, SSL *ssl, int result) {
  struct epoll_event event = {.events = EPOLLIN, .data.fd = fd};
  if (SSL_get_error(ssl, result) == SSL_ERROR_WANT_WRITE) event.events = EPOLLOUT;
  epoll_ctl(poll, EPOLL_CTL_MOD, fd, &event);
}

/* One turn of a connection: finish the handshake or a pending record, else
 * read one record and write it back. Returns 0 when the connection is over. */
static int serve(int poll, int fd, struct connection *c, char *buffer, size_t room) {
  if (!SSL_is_init_finished(c->ssl)) {
    int r = SSL_do_handshake(c->ssl);
    if (r == 1) return 1;
    int error = SSL_get_error(c->ssl, r);
    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return 0;
    want(poll, fd, c->ssl, r);
    return 1;
  }
  if (c->data) {
    int w = SSL_write(c->ssl, c->data, (int)c->size);
    if (w <= 0) {
      int error = SSL_get_error(c->ssl, w);
      return error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ;
    }
    memmove(c->data, c->data + w, c->size - (size_t)w);
    if ((c->size -= (size_t)w) == 0) {
      free(c->data);
      c->data = NULL;
      want(poll, fd, c->ssl, 1);
    }
    return 1;
  }
  int n = SSL_read(c->ssl, buffer, (int)room);
  if (n <= 0) {
    int error = SSL_get_error(c->ssl, n);
    if (error == SSL_ERROR_ZERO_RETURN) SSL_shutdown(c->ssl);
    return error == SSL_ERROR_WANT_READ;
  }
  int w = SSL_write(c->ssl, buffer, n);
  if (w < n) {
    if (w < 0) w = 0;
    c->size = (size_t)(n - w);
    c->data = malloc(c->size);
    memcpy(c->data, buffer + w, c->size);
    struct epoll_event event = {.events = EPOLLOUT, .data.fd = fd};
    epoll_ctl(poll, EPOLL_CTL_MOD, fd, &event);
  }
  return 1;
}

int main(int argc, char **argv) {
  static char buffer[65536];
  static struct connection connections[65536];
  struct epoll_event events[256];
  if (argc < 3) {
    fprintf(stderr, "usage: tls_echo_epoll CERT KEY [PORT]\n");
    return 2;
  }
  SSL_CTX *tls = context(argv[1], argv[2]);
  int listener = listen_on(argc > 3 ? atoi(argv[3]) : 0);
  int poll = poll_listener(listener);
  for (;;) {
    int ready = epoll_wait(poll, events, 256, -1);
    for (int i = 0; i < ready; ++i) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int client;
        while ((client = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          connections[client].ssl = SSL_new(tls);
          SSL_set_fd(connections[client].ssl, client);
          SSL_set_accept_state(connections[client].ssl);
          watch_client(poll, client);
        }
        continue;
      }
      struct connection *c = &connections[fd];
      if (serve(poll, fd, c, buffer, sizeof buffer)) continue;
      ERR_clear_error();
      SSL_free(c->ssl);
      free(c->data);
      memset(c, 0, sizeof *c);
      close(fd);
    }
  }
}

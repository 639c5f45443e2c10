// The BIO OpenSSL reads and writes sockets through: see tls_socket_bio.hpp.
#include "tls/tls_socket_bio.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tcpecho {
namespace {

SocketSource& source_of(BIO* bio) { return *static_cast<SocketSource*>(BIO_get_data(bio)); }

// A call that would block asks OpenSSL to retry it, once the socket is ready.
int result(BIO* bio, ssize_t n, bool reading) {
  BIO_clear_retry_flags(bio);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
    if (reading) {
      BIO_set_retry_read(bio);
    } else {
      BIO_set_retry_write(bio);
    }
  }
  return static_cast<int>(n);
}

int bio_write(BIO* bio, const char* data, int size) {
  const ssize_t n = ::send(source_of(bio).descriptor, data, static_cast<std::size_t>(size),
                           MSG_DONTWAIT | MSG_NOSIGNAL);
  return result(bio, n, false);
}

int bio_read(BIO* bio, char* data, int size) {
  SocketSource& source = source_of(bio);
  if (source.staged_size > 0) {
    BIO_clear_retry_flags(bio);
    const std::size_t n = std::min(source.staged_size, static_cast<std::size_t>(size));
    std::memcpy(data, source.staged, n);
    source.staged += n;
    source.staged_size -= n;
    return static_cast<int>(n);
  }
  const ssize_t n = ::recv(source.descriptor, data, static_cast<std::size_t>(size), MSG_DONTWAIT);
  return result(bio, n, true);
}

// Nothing written is buffered here, so there is nothing to flush; what is
// pending to read is what is staged. Every other control OpenSSL may ask
// about (kTLS, peeking at the descriptor) is unknown.
long bio_ctrl(BIO* bio, int command, long, void*) {
  if (command == BIO_CTRL_PENDING) return static_cast<long>(source_of(bio).staged_size);
  return command == BIO_CTRL_FLUSH ? 1 : 0;
}

int bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

const BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* made = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tcpecho socket");
    BIO_meth_set_write(made, bio_write);
    BIO_meth_set_read(made, bio_read);
    BIO_meth_set_ctrl(made, bio_ctrl);
    BIO_meth_set_create(made, bio_create);
    return made;
  }();
  return method;
}

}  // namespace

BIO* new_socket_bio(SocketSource& source) {
  BIO* bio = BIO_new(socket_method());
  if (bio) BIO_set_data(bio, &source);
  return bio;
}

}  // namespace tcpecho

#pragma once
// A socket BIO whose writes use send(MSG_NOSIGNAL), shared by the server's
// and the client's TLS code. OpenSSL's stock socket BIO writes with write(),
// so a peer that went away would raise SIGPIPE and kill a program that does
// not ignore it (a user's program, or a program embedding the server); Asio's
// and the client's plain writes already use MSG_NOSIGNAL. Everything but the
// write is the stock socket BIO's.
//
// Header-only so that procshare::protocol itself stays free of sockets and
// TLS: only the code that does TLS includes it (and links OpenSSL::SSL).

#include <cerrno>
#include <cstddef>

#include <openssl/bio.h>
#include <sys/socket.h>
#include <sys/types.h>

namespace procshare::detail {

inline int bio_send_nosignal(BIO* b, const char* data, int len) {
  int fd = -1;
  BIO_get_fd(b, &fd);
  errno = 0;
  const ssize_t n = ::send(fd, data, static_cast<std::size_t>(len), MSG_NOSIGNAL);
  BIO_clear_retry_flags(b);
  if (n <= 0 && BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

// The method, made once per process and never freed (BIOs refer to it).
inline BIO_METHOD* nosignal_socket_method() {
  static BIO_METHOD* method = [] {
    const BIO_METHOD* base = BIO_s_socket();
    BIO_METHOD* m = BIO_meth_new(BIO_TYPE_SOCKET, "socket, MSG_NOSIGNAL");
    BIO_meth_set_write(m, bio_send_nosignal);
    BIO_meth_set_read(m, BIO_meth_get_read(base));
    BIO_meth_set_puts(m, BIO_meth_get_puts(base));
    BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(base));
    BIO_meth_set_create(m, BIO_meth_get_create(base));
    BIO_meth_set_destroy(m, BIO_meth_get_destroy(base));
    return m;
  }();
  return method;
}

}  // namespace procshare::detail

#pragma once
// TLS for the server (docs/tls.md): the OpenSSL context built from the
// tls-* settings, and TlsSocket, a TCP socket with TLS on top that offers the
// members of an Asio socket the connection coroutine uses (read_some,
// write_some, async_read_some, async_wait, cancel, ...), so one
// StreamConnection template serves Unix, TCP and TLS clients alike.
//
// Why not asio::ssl::stream: the connection is built on readiness and
// non-blocking reads and writes (connection.cpp explains why), and
// ssl::stream's synchronous operations on a non-blocking socket drop the
// ciphertext they could not write. TlsSocket drives OpenSSL itself: SSL_write
// writes to the socket's descriptor (WANT_WRITE becomes would_block), and
// SSL_read reads from a memory BIO that TlsSocket fills with ciphertext read
// from the socket: without waiting (read_some), or with Asio's async read
// (async_read_some), which costs no epoll_ctl per wait as async_wait does. The handshake is a
// coroutine of the same kind, so a slow or silent client never blocks the event loop.
#include <openssl/ssl.h>

#include <asio.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <tuple>

#include "procshare/server/config.hpp"

namespace procshare::server {

class Engine;
class Session;

// An SSL_CTX with the certificate, key, CA and policy of `tls`. Throws
// std::runtime_error with a message naming the setting and the file at fault
// (missing file, key not matching the certificate, key readable by others,
// unknown protocol, bad cipher list).
std::shared_ptr<SSL_CTX> make_tls_context(const TlsConfig& tls);

class TlsSocket {
 public:
  using next_layer_type = asio::ip::tcp::socket;
  using executor_type = next_layer_type::executor_type;
  using wait_type = asio::socket_base::wait_type;
  using shutdown_type = asio::socket_base::shutdown_type;
  using native_handle_type = next_layer_type::native_handle_type;
  static constexpr wait_type wait_read = asio::socket_base::wait_read;
  static constexpr wait_type wait_write = asio::socket_base::wait_write;
  static constexpr shutdown_type shutdown_both = asio::socket_base::shutdown_both;

  // `ctx` is shared: a reload swaps the server's context, and connections
  // made before keep the one they started with.
  TlsSocket(next_layer_type socket, std::shared_ptr<SSL_CTX> ctx);
  TlsSocket(TlsSocket&&) noexcept = default;
  TlsSocket& operator=(TlsSocket&&) noexcept = default;

  executor_type get_executor() { return socket_.get_executor(); }
  next_layer_type& next_layer() { return socket_; }
  void non_blocking(bool on, asio::error_code& ec) { socket_.non_blocking(on, ec); }
  void cancel(asio::error_code& ec) { socket_.cancel(ec); }
  // Sends close_notify when it can without waiting, then shuts the socket down.
  void shutdown(shutdown_type how, asio::error_code& ec);
  void close(asio::error_code& ec) { socket_.close(ec); }
  native_handle_type native_handle() { return socket_.native_handle(); }

  // Non-blocking, as on a non-blocking socket: would_block when TLS needs
  // the socket to become readable (or writable) first; eof at close_notify
  // or end of stream.
  std::size_t read_some(asio::mutable_buffer b, asio::error_code& ec);
  std::size_t write_some(asio::const_buffer b, asio::error_code& ec);

  // The awaitable forms the connection uses with as_tuple(use_awaitable).
  // Cancelled (operation_aborted) by cancel(), like a socket's.
  template <class Token>
  asio::awaitable<std::tuple<asio::error_code, std::size_t>> async_read_some(asio::mutable_buffer b,
                                                                             Token) {
    return read_loop(b);
  }
  // Ready at once when OpenSSL holds input a read can use (the socket may
  // never become readable for it); otherwise waits for the direction TLS needs.
  template <class Token>
  asio::awaitable<std::tuple<asio::error_code>> async_wait(wait_type w, Token) {
    return wait_loop(w);
  }

  // The server side of the handshake, bounded by `deadline`. A client that
  // sends something other than a TLS ClientHello gets a one-line RESP error in
  // clear text, then the connection is refused. On failure, error() says why.
  asio::awaitable<asio::error_code> handshake(std::chrono::steady_clock::time_point deadline);
  const std::string& error() const { return error_; }
  // The client presented a certificate and the CA verified it.
  bool peer_verified() const;
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", for the log.
  std::string description() const;

 private:
  struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
  };
  enum class SslRead { data, want_input, failed };
  // SSL_read from what the memory BIO holds; never touches the socket.
  SslRead ssl_read(asio::mutable_buffer b, std::size_t& n, asio::error_code& ec);
  // Non-blocking read of ciphertext from the socket into the memory BIO.
  asio::error_code fill_now();
  asio::error_code feed(std::size_t n);  // stage_[0, n) into the memory BIO
  void ensure_stage();
  asio::awaitable<std::tuple<asio::error_code, std::size_t>> read_loop(asio::mutable_buffer b);
  asio::awaitable<std::tuple<asio::error_code>> wait_loop(wait_type w);
  // Maps an SSL_get_error() result; sets the want_* flags; records error_.
  asio::error_code map_error(int ret, bool reading);

  next_layer_type socket_;
  std::shared_ptr<SSL_CTX> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
  BIO* rbio_ = nullptr;  // ciphertext read from the socket, owned by ssl_
  // Ciphertext is read here, then copied into rbio_: one TLS record and more.
  static constexpr std::size_t kStageSize = 17 * 1024;
  std::unique_ptr<char[]> stage_;
  bool read_wants_write_ = false;  // SSL_read must send first (TLS 1.3 key update)
  bool write_wants_read_ = false;  // SSL_write must receive first
  // The last read wanted more bytes than the socket had: what the memory BIO
  // holds is a partial record. False at first: the handshake may leave whole
  // records behind it (a client's first request, sent with its Finished).
  bool read_blocked_ = false;
  std::string error_;
};

// Runs the handshake of a new TLS connection, then authenticates the session
// when the client's certificate was verified (docs/tls.md, "Authentication").
// False: refused (logged, and counted in INFO stats tls_handshake_failures).
asio::awaitable<bool> open_stream(TlsSocket& socket, Session& session, Engine& engine);

// Plain sockets have nothing to open.
template <class Socket>
asio::awaitable<bool> open_stream(Socket&, Session&, Engine&) {
  co_return true;
}

// Answers a connection over --maxclients inside TLS: handshake (bounded in
// time), `reply`, close. Runs on its own coroutine; owns the socket.
void refuse_tls(asio::ip::tcp::socket socket, std::shared_ptr<SSL_CTX> ctx, std::string_view reply);

}  // namespace procshare::server

// TLS (see tls.hpp): the context, the socket adapter and the handshake.
#include "tls.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "procshare/detail/nosignal_bio.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/session.hpp"

namespace procshare::server {

namespace {

using asio::awaitable;
using asio::use_awaitable;
using asio::experimental::as_tuple;
using namespace asio::experimental::awaitable_operators;

// A TLS client has this long to finish its handshake (less with a shorter
// --idle-timeout): a silent client holds a connection slot no longer.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

// The oldest OpenSSL error queued on this thread, as text; clears the queue.
std::string openssl_error() {
  unsigned long e = ERR_peek_last_error();
  std::string text;
  if (e != 0) {
    const char* reason = ERR_reason_error_string(e);
    text = reason ? reason : fmt::format("OpenSSL error {:#x}", e);
  }
  ERR_clear_error();
  return text.empty() ? "unknown OpenSSL error" : text;
}

[[noreturn]] void fail(const std::string& msg) {
  ERR_clear_error();
  throw std::runtime_error(msg);
}

void require_file(std::string_view setting, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    fail(fmt::format("{} {}: {}", setting, path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) fail(fmt::format("{} {}: not a regular file", setting, path));
}

// As with the authkey (and ssh): a private key others may read is no secret.
// Group read is allowed for Debian's ssl-cert group convention (0640).
void check_key_permissions(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXO | S_IWGRP | S_IXGRP))) {
    fail(
        fmt::format("tls-key-file {}: permissions {:o} are too open; the private key must not be "
                    "readable by others (chmod 600 {})",
                    path, st.st_mode & 0777, path));
  }
}

int protocol_version(std::string_view name) {
  if (name == "TLSv1.2") return TLS1_2_VERSION;
  if (name == "TLSv1.3") return TLS1_3_VERSION;
  return 0;
}

void set_protocols(SSL_CTX* ctx, const std::string& list) {
  int lo = 0, hi = 0;
  std::size_t pos = 0;
  while (pos < list.size()) {
    std::size_t end = list.find_first_of(" ,", pos);
    if (end == std::string::npos) end = list.size();
    std::string_view word(list.data() + pos, end - pos);
    pos = end + 1;
    if (word.empty()) continue;
    int v = protocol_version(word);
    if (v == 0) {
      fail(fmt::format("tls-protocols: '{}' is not supported; use TLSv1.2 and/or TLSv1.3", word));
    }
    if (lo == 0 || v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo == 0) fail("tls-protocols: empty; use \"TLSv1.2 TLSv1.3\"");
  SSL_CTX_set_min_proto_version(ctx, lo);
  SSL_CTX_set_max_proto_version(ctx, hi);
}

}  // namespace

std::shared_ptr<SSL_CTX> make_tls_context(const TlsConfig& tls) {
  ERR_clear_error();
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) fail("cannot create a TLS context: " + openssl_error());
  SSL_CTX* c = ctx.get();
  set_protocols(c, tls.protocols);
  // No renegotiation (a DoS lever), no compression (CRIME); a peer that
  // closes without close_notify is simply a closed connection: a truncated
  // request is never executed anyway.
  SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                             SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
  // The connection keeps unwritten replies in its own buffer and retries
  // with it after compacting: partial writes of a moving buffer.
  // (Not SSL_MODE_RELEASE_BUFFERS: it saves 5 KB per idle connection of
  // about 40 and costs two 16 KB allocations per request.)
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!tls.ciphers.empty() && SSL_CTX_set_cipher_list(c, tls.ciphers.c_str()) != 1) {
    fail(fmt::format("tls-ciphers '{}': {}", tls.ciphers, openssl_error()));
  }
  if (!tls.ciphersuites.empty() && SSL_CTX_set_ciphersuites(c, tls.ciphersuites.c_str()) != 1) {
    fail(fmt::format("tls-ciphersuites '{}': {}", tls.ciphersuites, openssl_error()));
  }

  require_file("tls-cert-file", tls.cert_file);
  if (SSL_CTX_use_certificate_chain_file(c, tls.cert_file.c_str()) != 1) {
    fail(fmt::format("tls-cert-file {}: not a PEM certificate ({})", tls.cert_file,
                     openssl_error()));
  }
  require_file("tls-key-file", tls.key_file);
  check_key_permissions(tls.key_file);
  if (SSL_CTX_use_PrivateKey_file(c, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    std::string why = openssl_error();
    if (why.find("mismatch") != std::string::npos) {
      fail(fmt::format("tls-key-file {} does not match the certificate in tls-cert-file {}",
                       tls.key_file, tls.cert_file));
    }
    fail(fmt::format("tls-key-file {}: not a PEM private key ({})", tls.key_file, why));
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    fail(fmt::format("tls-key-file {} does not match the certificate in tls-cert-file {}",
                     tls.key_file, tls.cert_file));
  }

  if (!tls.ca_cert_file.empty()) require_file("tls-ca-cert-file", tls.ca_cert_file);
  if (!tls.ca_cert_dir.empty()) {
    struct stat st {};
    if (::stat(tls.ca_cert_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      fail(fmt::format("tls-ca-cert-dir {}: not a directory", tls.ca_cert_dir));
    }
  }
  if (!tls.ca_cert_file.empty() || !tls.ca_cert_dir.empty()) {
    const char* file = tls.ca_cert_file.empty() ? nullptr : tls.ca_cert_file.c_str();
    const char* dir = tls.ca_cert_dir.empty() ? nullptr : tls.ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(c, file, dir) != 1) {
      fail(fmt::format("tls-ca-cert-{} {}: cannot load CA certificates ({})", file ? "file" : "dir",
                       file ? file : dir, openssl_error()));
    }
    if (file) {
      // The CAs a client may choose its certificate by.
      if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(file)) {
        SSL_CTX_set_client_CA_list(c, names);
      }
    }
  }
  if (tls.auth_clients != "no" && tls.ca_cert_file.empty() && tls.ca_cert_dir.empty()) {
    fail(
        fmt::format("tls-auth-clients {} needs tls-ca-cert-file or tls-ca-cert-dir to verify "
                    "client certificates",
                    tls.auth_clients));
  }
  int mode = SSL_VERIFY_NONE;
  if (tls.auth_clients == "yes") mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (tls.auth_clients == "optional") mode = SSL_VERIFY_PEER;
  SSL_CTX_set_verify(c, mode, nullptr);
  // Needed for session resumption when client certificates are verified.
  static const unsigned char kSessionContext[] = "procshare";
  SSL_CTX_set_session_id_context(c, kSessionContext, sizeof kSessionContext - 1);
  ERR_clear_error();
  return ctx;
}

TlsSocket::TlsSocket(next_layer_type socket, std::shared_ptr<SSL_CTX> ctx)
    : socket_(std::move(socket)), ctx_(std::move(ctx)), ssl_(SSL_new(ctx_.get())) {
  if (!ssl_) throw std::runtime_error("SSL_new: " + openssl_error());
  // Input through a memory BIO that TlsSocket fills (see tls.hpp); output
  // straight to the socket.
  rbio_ = BIO_new(BIO_s_mem());
  BIO* wbio = BIO_new(procshare::detail::nosignal_socket_method());
  if (!rbio_ || !wbio) {
    BIO_free(rbio_);  // BIO_free(nullptr) is a no-op
    BIO_free(wbio);
    throw std::runtime_error("BIO_new: " + openssl_error());
  }
  BIO_set_fd(wbio, socket_.native_handle(), BIO_NOCLOSE);
  BIO_set_mem_eof_return(rbio_, -1);     // empty: "retry", not end of stream
  SSL_set_bio(ssl_.get(), rbio_, wbio);  // the SSL owns both
  SSL_set_accept_state(ssl_.get());
}

asio::error_code TlsSocket::map_error(int ret, bool reading) {
  int e = SSL_get_error(ssl_.get(), ret);
  switch (e) {
    case SSL_ERROR_WANT_READ:
      (reading ? read_wants_write_ : write_wants_read_) = !reading;
      return asio::error::would_block;
    case SSL_ERROR_WANT_WRITE:
      (reading ? read_wants_write_ : write_wants_read_) = reading;
      return asio::error::would_block;
    case SSL_ERROR_ZERO_RETURN:
      return asio::error::eof;
    case SSL_ERROR_SYSCALL: {
      int err = errno;
      ERR_clear_error();
      if (err == 0 || ret == 0) return asio::error::eof;
      if (err == EAGAIN || err == EWOULDBLOCK) return asio::error::would_block;
      return asio::error_code(err, asio::system_category());
    }
    default:
      error_ = openssl_error();
      return asio::error::connection_aborted;
  }
}

TlsSocket::SslRead TlsSocket::ssl_read(asio::mutable_buffer b, std::size_t& n,
                                       asio::error_code& ec) {
  ERR_clear_error();
  errno = 0;
  n = 0;
  int r = SSL_read_ex(ssl_.get(), b.data(), b.size(), &n);
  if (r == 1) {
    read_wants_write_ = false;
    read_blocked_ = false;
    ec = {};
    // SSL_read returns one record (16 KiB at most): take the others already
    // read from the socket too, as a plain read would. A partial record or
    // an error stops it; the next read meets the error again.
    while (n < b.size() && (SSL_pending(ssl_.get()) > 0 || BIO_ctrl_pending(rbio_) > 0)) {
      std::size_t more = 0;
      if (SSL_read_ex(ssl_.get(), static_cast<char*>(b.data()) + n, b.size() - n, &more) != 1) {
        ERR_clear_error();
        break;
      }
      n += more;
    }
    return SslRead::data;
  }
  if (SSL_get_error(ssl_.get(), r) == SSL_ERROR_WANT_READ) return SslRead::want_input;
  ec = map_error(r, /*reading=*/true);
  return SslRead::failed;
}

asio::error_code TlsSocket::feed(std::size_t n) {
  if (n > 0 && BIO_write(rbio_, stage_.get(), static_cast<int>(n)) != static_cast<int>(n)) {
    return asio::error::no_memory;
  }
  return {};
}

void TlsSocket::ensure_stage() {
  // Default-initialised: pages a read never reaches are never touched.
  if (!stage_) stage_.reset(new char[kStageSize]);
}

asio::error_code TlsSocket::fill_now() {
  ensure_stage();
  asio::error_code ec;
  std::size_t n = socket_.read_some(asio::buffer(stage_.get(), kStageSize), ec);
  if (ec) return ec;
  return feed(n);
}

std::size_t TlsSocket::read_some(asio::mutable_buffer b, asio::error_code& ec) {
  for (;;) {
    std::size_t n = 0;
    if (ssl_read(b, n, ec) != SslRead::want_input) return n;
    ec = fill_now();
    if (ec) {
      read_blocked_ = ec == asio::error::would_block;
      return 0;
    }
  }
}

std::size_t TlsSocket::write_some(asio::const_buffer b, asio::error_code& ec) {
  ERR_clear_error();
  errno = 0;
  std::size_t n = 0;
  int r = SSL_write_ex(ssl_.get(), b.data(), b.size(), &n);
  if (r == 1) {
    write_wants_read_ = false;
    ec = {};
    return n;
  }
  ec = map_error(r, /*reading=*/false);
  return 0;
}

void TlsSocket::shutdown(shutdown_type how, asio::error_code& ec) {
  // One non-blocking attempt at close_notify: a peer that does not read it
  // loses nothing it was owed (every reply was flushed before).
  if (SSL_is_init_finished(ssl_.get())) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());
    ERR_clear_error();
  }
  socket_.shutdown(how, ec);
}

awaitable<std::tuple<asio::error_code, std::size_t>> TlsSocket::read_loop(asio::mutable_buffer b) {
  for (;;) {
    asio::error_code ec;
    std::size_t n = 0;
    SslRead got = ssl_read(b, n, ec);
    if (got != SslRead::want_input) co_return std::tuple{ec, n};
    // A read of ciphertext, not a readiness wait: Asio tries it at once and
    // otherwise waits without re-arming epoll (an async_wait costs an
    // epoll_ctl per call, 2% of the server's CPU at 50 clients).
    read_blocked_ = true;
    ensure_stage();
    auto [rec, got_bytes] = co_await socket_.async_read_some(asio::buffer(stage_.get(), kStageSize),
                                                             as_tuple(use_awaitable));
    if (rec) co_return std::tuple{rec, std::size_t{0}};
    if (auto fec = feed(got_bytes)) co_return std::tuple{fec, std::size_t{0}};
  }
}

awaitable<std::tuple<asio::error_code>> TlsSocket::wait_loop(wait_type w) {
  // OpenSSL may hold decrypted bytes, or whole records in the memory BIO,
  // that the socket will never signal again; after a read that blocked,
  // what it holds is a partial record.
  if (w == wait_read && !read_blocked_ &&
      (SSL_pending(ssl_.get()) > 0 || BIO_ctrl_pending(rbio_) > 0)) {
    co_return std::tuple{asio::error_code{}};
  }
  if (w == wait_read && read_wants_write_)
    w = wait_write;
  else if (w == wait_write && write_wants_read_)
    w = wait_read;
  co_return co_await socket_.async_wait(w, as_tuple(use_awaitable));
}

awaitable<asio::error_code> TlsSocket::handshake(std::chrono::steady_clock::time_point deadline) {
  asio::steady_timer timer(socket_.get_executor(), deadline);
  auto wait = [&](wait_type w) -> awaitable<asio::error_code> {
    auto r = co_await (timer.async_wait(as_tuple(use_awaitable)) ||
                       socket_.async_wait(w, as_tuple(use_awaitable)));
    if (r.index() == 0) {
      error_ = "handshake timed out";
      co_return asio::error::timed_out;
    }
    co_return std::get<0>(std::get<1>(r));
  };
  // A plain-text client (redis-cli without --tls, nc) gets told in words it
  // can read: the first byte of a TLS connection is a handshake record (22).
  if (auto ec = co_await wait(wait_read)) co_return ec;
  unsigned char first = 0;
  ssize_t got = ::recv(socket_.native_handle(), &first, 1, MSG_PEEK);
  if (got == 0) {
    error_ = "closed before the handshake";
    co_return asio::error::eof;
  }
  if (got == 1 && first != 22) {
    static constexpr std::string_view msg =
        "-ERR this port speaks TLS: connect with TLS (redis-cli --tls, procshare-cli --tls)\r\n";
    asio::error_code wec;
    socket_.write_some(asio::buffer(msg), wec);  // one small write into an empty buffer
    error_ = "not a TLS client (plain text on the TLS port)";
    co_return asio::error::connection_refused;
  }
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int r = SSL_do_handshake(ssl_.get());
    if (r == 1) co_return asio::error_code{};
    int e = SSL_get_error(ssl_.get(), r);
    wait_type w;
    if (e == SSL_ERROR_WANT_READ) {
      asio::error_code fec = fill_now();
      if (!fec) continue;
      if (fec != asio::error::would_block) {
        error_ = fec == asio::error::eof ? "connection closed during the handshake" : fec.message();
        co_return fec;
      }
      w = wait_read;
    } else if (e == SSL_ERROR_WANT_WRITE) {
      w = wait_write;
    } else {
      error_ = e == SSL_ERROR_SYSCALL ? "connection closed during the handshake" : openssl_error();
      long verify = SSL_get_verify_result(ssl_.get());
      if (verify != X509_V_OK) {
        error_ += fmt::format(" (client certificate: {})", X509_verify_cert_error_string(verify));
      }
      co_return asio::error::connection_aborted;
    }
    if (auto ec = co_await wait(w)) co_return ec;
  }
}

bool TlsSocket::peer_verified() const {
  return SSL_get0_peer_certificate(ssl_.get()) != nullptr &&
         SSL_get_verify_result(ssl_.get()) == X509_V_OK;
}

std::string TlsSocket::description() const {
  return fmt::format("{} {}", SSL_get_version(ssl_.get()), SSL_get_cipher_name(ssl_.get()));
}

awaitable<bool> open_stream(TlsSocket& socket, Session& session, Engine& engine) {
  const Config& config = engine.config();
  auto limit = std::chrono::steady_clock::duration(kHandshakeTimeout);
  if (config.idle_timeout.count() > 0 && config.idle_timeout < limit) limit = config.idle_timeout;
  asio::error_code ec = co_await socket.handshake(std::chrono::steady_clock::now() + limit);
  if (ec) {
    ++engine.stats().tls_handshake_failures;
    if (ec != asio::error::operation_aborted) {
      log::notice("client {} ({}): TLS handshake failed: {}", session.id(), session.peer(),
                  socket.error().empty() ? ec.message() : socket.error());
    }
    co_return false;
  }
  // The rule of docs/tls.md: a client certificate that the configured CA
  // verified authenticates the connection, as the authkey would.
  if (config.tls.auth_clients != "no" && socket.peer_verified()) session.authenticated = true;
  log::verbose("client {}: TLS {}{}", session.id(), socket.description(),
               socket.peer_verified() ? ", client certificate verified" : "");
  co_return true;
}

namespace {

awaitable<void> refuse_after_handshake(TlsSocket socket, std::string_view reply) {
  asio::error_code ec;
  socket.non_blocking(true, ec);
  ec = co_await socket.handshake(std::chrono::steady_clock::now() + kHandshakeTimeout);
  if (!ec) socket.write_some(asio::buffer(reply), ec);  // one small record: fits the buffer
  socket.shutdown(TlsSocket::shutdown_both, ec);
  socket.close(ec);
}

}  // namespace

void refuse_tls(asio::ip::tcp::socket socket, std::shared_ptr<SSL_CTX> ctx,
                std::string_view reply) {
  auto ex = socket.get_executor();
  asio::co_spawn(ex, refuse_after_handshake(TlsSocket(std::move(socket), std::move(ctx)), reply),
                 [](std::exception_ptr e) {
                   if (!e) return;
                   try {
                     std::rethrow_exception(e);
                   } catch (const std::exception& ex) {
                     log::warning("refusing a TLS client failed: {}", ex.what());
                   }
                 });
}

}  // namespace procshare::server

// Connection: a blocking POSIX socket with a RESP encoder and the
// incremental ReplyParser on top. Design points:
// * every socket is SOCK_CLOEXEC, so a Manager's exec'd server or any
//   child the user execs never inherits it;
// * writes use MSG_NOSIGNAL: a server that went away is a ConnectionError,
//   not a SIGPIPE that kills the user's process;
// * deadlines are poll() timeouts, so a timeout never leaves half a reply
//   behind unnoticed: the connection is closed instead;
// * tls:// runs OpenSSL on the same socket, made non-blocking, with the same
//   poll() deadlines (a readable socket may hold only a TLS session ticket,
//   so a blocking SSL_read could wait past any deadline).
#include "procshare/connection.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "procshare/detail/nosignal_bio.hpp"
#include "procshare/protocol/handshake.hpp"

namespace procshare {

namespace {

using Clock = std::chrono::steady_clock;
namespace auth = protocol::auth;

std::string errno_text(int err) {
  return std::strerror(err);
}

// Bytes read from the socket at once; replies larger than this grow the buffer.
constexpr std::size_t kReadChunk = 64 * 1024;

void append_command(std::string& out, std::span<const std::string_view> args) {
  out += '*';
  out += std::to_string(args.size());
  out += "\r\n";
  for (std::string_view a : args) {
    out += '$';
    out += std::to_string(a.size());
    out += "\r\n";
    out.append(a);
    out += "\r\n";
  }
}

// Waits for a non-blocking connect to finish; returns 0 or the errno.
int finish_connect(int fd, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return ETIMEDOUT;
    pollfd p{fd, POLLOUT, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno;
    if (r == 0) return ETIMEDOUT;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) return errno;
    return err;
  }
}

int connect_with_deadline(int fd, const sockaddr* sa, socklen_t len, Clock::time_point deadline) {
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int err = 0;
  if (::connect(fd, sa, len) < 0) {
    err = errno;
    if (err == EINPROGRESS || err == EINTR) err = finish_connect(fd, deadline);
  }
  ::fcntl(fd, F_SETFL, flags);
  return err;
}

int open_unix(const Address& addr, Clock::time_point deadline) {
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (addr.path.empty() || addr.path.size() >= sizeof sa.sun_path) {
    throw ConnectionError("Unix socket path is empty or too long: " + addr.path);
  }
  std::memcpy(sa.sun_path, addr.path.data(), addr.path.size());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ConnectionError("socket(): " + errno_text(errno));
  int err = connect_with_deadline(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa, deadline);
  if (err != 0) {
    ::close(fd);
    throw ConnectionError("cannot connect to " + addr.to_string() + ": " + errno_text(err));
  }
  return fd;
}

int open_tcp(const Address& addr, Clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::string port = std::to_string(addr.port);
  int gai = ::getaddrinfo(addr.host.c_str(), port.c_str(), &hints, &list);
  if (gai != 0) {
    throw ConnectionError("cannot resolve " + addr.host + ": " + ::gai_strerror(gai));
  }
  int err = ENOENT;
  int fd = -1;
  for (addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    err = connect_with_deadline(fd, ai->ai_addr, ai->ai_addrlen, deadline);
    if (err == 0) break;
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(list);
  if (fd < 0) {
    throw ConnectionError("cannot connect to " + addr.to_string() + ": " + errno_text(err));
  }
  // Commands are small and answered one by one: Nagle would add latency.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // Notice a server machine that vanished (the server does the same, §6).
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  return fd;
}

std::string ssl_error_text() {
  unsigned long e = ERR_peek_last_error();
  const char* reason = e ? ERR_reason_error_string(e) : nullptr;
  std::string text = reason ? reason : "";
  ERR_clear_error();
  return text;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// "007": the milliseconds of a seconds argument.
std::string fmt_millis(long ms) {
  std::string s = std::to_string(ms);
  return std::string(3 - std::min<std::size_t>(3, s.size()), '0') + s;
}

SSL* as_ssl(void* p) {
  return static_cast<SSL*>(p);
}

}  // namespace

std::optional<std::string> resolve_authkey(const ConnectOptions& opts) {
  if (opts.authkey) return opts.authkey;
  if (opts.authkey_file) {
    std::string error;
    auto key = auth::read_key_file(*opts.authkey_file, &error);
    if (!key) throw AuthError(error);  // it names the file and the reason
    return key;
  }
  if (const char* env = std::getenv("PROCSHARE_AUTHKEY")) {
    // Set but empty is a mistake (a variable that expanded to nothing), not "no key".
    if (!*env) {
      throw AuthError(
          "PROCSHARE_AUTHKEY is set but empty: unset it for no key, or set the server's key");
    }
    return std::string(env);
  }
  return std::nullopt;
}

std::string run_id_of(const protocol::Reply& hello) {
  for (std::size_t i = 0; i + 1 < hello.elements.size(); i += 2) {
    if (hello.elements[i].str == "run_id") return hello.elements[i + 1].str;
  }
  return {};
}

Connection Connection::open(const Address& addr, const ConnectOptions& opts) {
  std::optional<std::string> key = resolve_authkey(opts);
  const auto deadline = Clock::now() + opts.connect_timeout;
  Connection c(addr.kind == Address::Kind::unix_socket ? open_unix(addr, deadline)
                                                       : open_tcp(addr, deadline));
  if (addr.tls && addr.kind == Address::Kind::tcp) c.start_tls(addr, opts.tls, deadline);
  // The handshake is bounded by what is left of the connect timeout: a
  // server that accepts and then says nothing must not hang the client.
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  c.io_timeout_ = std::max(left, std::chrono::milliseconds(1));
  if (key) c.handshake(*key);
  if (opts.resp != 2 && opts.resp != 3) {
    throw std::invalid_argument("ConnectOptions::resp must be 2 or 3");
  }
  if (opts.resp == 3) {
    // HELLO's map also tells the server's run_id (Client notices restarts by it).
    protocol::Reply r = c.call({"HELLO", "3"});
    if (r.is_error()) throw_error(r);
    c.resp_ = 3;
    c.run_id_ = run_id_of(r);
  }
  if (!opts.client_name.empty()) {
    protocol::Reply r = c.call({"CLIENT", "SETNAME", opts.client_name});
    if (r.is_error()) throw_error(r);
  }
  if (opts.heartbeat.count() > 0) {
    const std::string secs = std::to_string(opts.heartbeat.count() / 1000) + "." +
                             fmt_millis(opts.heartbeat.count() % 1000);
    protocol::Reply r = c.call({"CLIENT", "HEARTBEAT", secs});
    if (r.is_error()) throw_error(r);
    c.heartbeat_ = opts.heartbeat;
  }
  c.io_timeout_ = opts.io_timeout;
  return c;
}

void Connection::start_tls(const Address& addr, const TlsOptions& o, Clock::time_point deadline) {
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  if (!ctx) fail_io("cannot create a TLS context: " + ssl_error_text());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (!o.ca_file.empty() || !o.ca_dir.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), o.ca_file.empty() ? nullptr : o.ca_file.c_str(),
                                      o.ca_dir.empty() ? nullptr : o.ca_dir.c_str()) != 1) {
      fail_io("cannot load the CA certificates " + o.ca_file + o.ca_dir + ": " + ssl_error_text());
    }
  } else {
    SSL_CTX_set_default_verify_paths(ctx.get());
  }
  SSL_CTX_set_verify(ctx.get(), o.verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  if (!o.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), o.cert_file.c_str()) != 1) {
      fail_io("cannot load the client certificate " + o.cert_file + ": " + ssl_error_text());
    }
    const std::string& key = o.key_file.empty() ? o.cert_file : o.key_file;
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1) {
      fail_io("cannot load the client key " + key + " (or it does not match " + o.cert_file +
              "): " + ssl_error_text());
    }
  }
  SSL* ssl = SSL_new(ctx.get());  // holds its own reference to the context
  if (!ssl) fail_io("SSL_new: " + ssl_error_text());
  ssl_ = ssl;
  BIO* bio = BIO_new(procshare::detail::nosignal_socket_method());
  if (!bio) fail_io("BIO_new: " + ssl_error_text());
  BIO_set_fd(bio, fd_, BIO_NOCLOSE);
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the BIO
  const std::string& name = o.sni.empty() ? addr.host : o.sni;
  if (!is_ip_literal(name)) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (o.verify_peer && o.verify_hostname) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip_literal(name)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
  }
  ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  for (;;) {
    ERR_clear_error();
    int r = SSL_connect(ssl);
    if (r == 1) break;
    int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      wait_io(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
      continue;
    }
    std::string why =
        e == SSL_ERROR_SYSCALL ? "the server closed the connection" : ssl_error_text();
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) why += std::string(": ") + X509_verify_cert_error_string(v);
    fail_io("TLS handshake with " + addr.to_string() + " failed: " + why);
  }
}

std::size_t Connection::tls_io(bool write, char* data, std::size_t size,
                               Clock::time_point deadline) {
  SSL* ssl = as_ssl(ssl_);
  for (;;) {
    ERR_clear_error();
    std::size_t n = 0;
    int r = write ? SSL_write_ex(ssl, data, size, &n) : SSL_read_ex(ssl, data, size, &n);
    if (r == 1) return n;
    int e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      const short ev = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      if (deadline == Clock::time_point::max() && heartbeat_.count() == 0) {
        pollfd p{fd_, ev, 0};
        if (::poll(&p, 1, -1) < 0 && errno != EINTR) fail_io("poll(): " + errno_text(errno));
      } else {
        wait_io(ev, deadline);
      }
      continue;
    }
    if (!write && (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0))) {
      return 0;  // close_notify or end of stream
    }
    std::string why = ssl_error_text();
    if (why.empty()) why = e == SSL_ERROR_SYSCALL ? errno_text(errno) : "TLS error";
    if (!write) fail_io("the server closed the TLS connection: " + why);
    fail_io("cannot write to the server (TLS): " + why);
  }
}

void Connection::handshake(std::string_view key) {
  protocol::Reply challenge = call({"AUTH.CHALLENGE"});
  if (challenge.is_error()) {
    // A server without a key cannot prove it knows ours: mutual
    // authentication means we refuse it rather than fall back to trusting it.
    close();
    throw AuthError("the server did not accept AUTH.CHALLENGE (" + challenge.str +
                    "); it cannot prove it knows the authkey, refusing it");
  }
  if (challenge.type != protocol::Reply::Type::bulk || !auth::is_nonce_hex(challenge.str)) {
    close();
    throw AuthError("the server sent a malformed AUTH.CHALLENGE nonce; refusing it");
  }
  const std::string client_nonce = auth::random_nonce_hex();
  const std::string proof = auth::client_proof(key, challenge.str, client_nonce);
  protocol::Reply answer = call({"AUTH.PROVE", proof, client_nonce});
  if (answer.is_error()) {
    close();
    if (answer.error_code() == "WRONGPASS") {
      throw WrongPass("the server refused the authkey (wrong key?): " +
                      std::string(answer.error_message()));
    }
    throw AuthError("AUTH.PROVE failed: " + answer.str);
  }
  const std::string expected = auth::server_proof(key, client_nonce, challenge.str);
  if (answer.type != protocol::Reply::Type::bulk ||
      !auth::equal_constant_time(answer.str, expected)) {
    close();
    throw AuthError("the server could not prove it knows the authkey; refusing it");
  }
}

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      ssl_(std::exchange(other.ssl_, nullptr)),
      io_timeout_(other.io_timeout_),
      resp_(other.resp_),
      run_id_(std::move(other.run_id_)),
      out_(std::move(other.out_)),
      in_(std::move(other.in_)),
      in_pos_(std::exchange(other.in_pos_, 0)),
      parser_(std::move(other.parser_)),
      heartbeat_(other.heartbeat_),
      sent_(other.sent_),
      received_(other.received_),
      pings_(std::move(other.pings_)),
      counted_(other.counted_),
      last_sent_(other.last_sent_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    ssl_ = std::exchange(other.ssl_, nullptr);
    io_timeout_ = other.io_timeout_;
    resp_ = other.resp_;
    run_id_ = std::move(other.run_id_);
    out_ = std::move(other.out_);
    in_ = std::move(other.in_);
    in_pos_ = std::exchange(other.in_pos_, 0);
    parser_ = std::move(other.parser_);
    heartbeat_ = other.heartbeat_;
    sent_ = other.sent_;
    received_ = other.received_;
    pings_ = std::move(other.pings_);
    counted_ = other.counted_;
    last_sent_ = other.last_sent_;
  }
  return *this;
}

Connection::~Connection() {
  close();
}

void Connection::close() {
  // No close_notify: close() must send nothing (a forked child's copy).
  if (ssl_) SSL_free(as_ssl(ssl_));
  ssl_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  out_.clear();
  in_.clear();
  in_pos_ = 0;
  parser_ = protocol::ReplyParser();
  sent_ = received_ = 0;
  pings_.clear();
}

void Connection::require_open() const {
  if (fd_ < 0) throw ConnectionError("the connection is closed");
}

void Connection::fail_io(const std::string& what) {
  close();
  throw ConnectionError(what);
}

Clock::time_point Connection::deadline() const {
  if (io_timeout_.count() <= 0) return Clock::time_point::max();
  return Clock::now() + io_timeout_;
}

void Connection::wait_io(short events, Clock::time_point deadline) {
  // While waiting for a reply on a heartbeat connection, PING every third
  // of the heartbeat so the server knows this process is alive.
  const bool beat = heartbeat_.count() > 0 && events == POLLIN && counted_ && !pinging_;
  if (deadline == Clock::time_point::max() && !beat) return;  // plain blocking I/O
  for (;;) {
    int wait_ms = -1;
    if (deadline != Clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) fail_io("timed out waiting for the server");
      wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30));
    }
    if (beat) {
      auto due = std::chrono::duration_cast<std::chrono::milliseconds>(last_sent_ + heartbeat_ / 3 -
                                                                       Clock::now());
      if (due.count() <= 0) {
        send_heartbeat();
        continue;
      }
      wait_ms = wait_ms < 0 ? static_cast<int>(due.count())
                            : std::min(wait_ms, static_cast<int>(due.count()));
    }
    pollfd p{fd_, events, 0};
    int r = ::poll(&p, 1, wait_ms);
    if (r > 0) return;
    if (r == 0 && beat) continue;  // time to PING, or the deadline: checked above
    if (r == 0) fail_io("timed out waiting for the server");
    if (errno != EINTR) fail_io("poll(): " + errno_text(errno));
  }
}

void Connection::send_heartbeat() {
  pinging_ = true;
  const std::string_view ping[] = {"PING"};
  append_command(out_, ping);
  pings_.push_back(sent_++);
  flush();
  pinging_ = false;
}

void Connection::ping() {
  protocol::Reply r = call({"PING"});
  if (r.is_error()) throw_error(r);
}

protocol::Reply Connection::call(std::span<const std::string_view> args) {
  send(args);
  return read();
}

protocol::Reply Connection::call(std::initializer_list<std::string_view> args) {
  return call(std::span<const std::string_view>(args.begin(), args.size()));
}

void Connection::send(std::span<const std::string_view> args) {
  require_open();
  append_command(out_, args);
  ++sent_;
}

void Connection::send(std::initializer_list<std::string_view> args) {
  send(std::span<const std::string_view>(args.begin(), args.size()));
}

void Connection::send_raw(std::string_view bytes, std::optional<std::size_t> commands) {
  require_open();
  out_.append(bytes);
  if (commands) {
    sent_ += *commands;
  } else {
    counted_ = false;
  }
}

void Connection::flush() {
  require_open();
  const auto until = deadline();
  std::size_t done = 0;
  while (ssl_ && done < out_.size()) {
    done += tls_io(true, out_.data() + done, out_.size() - done, until);
  }
  while (done < out_.size()) {
    wait_io(POLLOUT, until);
    ssize_t n = ::send(fd_, out_.data() + done, out_.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io("cannot write to the server: " + errno_text(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (done > 0) last_sent_ = Clock::now();
  out_.clear();
}

// The next complete reply already in in_ (a heartbeat's PONG skipped), or
// false when more bytes are needed.
bool Connection::parse_buffered(protocol::Reply& out) {
  for (;;) {
    std::string_view pending(in_.data() + in_pos_, in_.size() - in_pos_);
    if (pending.empty()) return false;
    protocol::Reply reply;
    std::size_t consumed = 0;
    std::string error;
    auto status = parser_.parse(pending, &reply, &consumed, &error);
    if (status == protocol::ReplyStatus::error) {
      close();
      throw ProtocolError("invalid reply from the server: " + error);
    }
    if (status != protocol::ReplyStatus::complete) return false;
    in_pos_ += consumed;
    if (in_pos_ == in_.size()) {
      in_.clear();
      in_pos_ = 0;
    }
    if (!pings_.empty() && pings_.front() == received_) {
      // A heartbeat's PONG: not the reply anyone asked for.
      pings_.erase(pings_.begin());
      ++received_;
      continue;
    }
    ++received_;
    out = std::move(reply);
    return true;
  }
}

// Drops the consumed part of in_ so that it does not grow with every
// pipelined reply.
void Connection::compact_input() {
  if (in_pos_ > 0) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
}

// A batch on a plain socket: writing it all before reading any reply makes
// client and server take turns (the client blocks in send() while the server
// parses, then the server idles while the client parses the replies), and
// keeps a whole batch of requests and replies in buffers at once. Instead,
// send what the socket takes without blocking, take the replies that have
// arrived meanwhile, and wait only when neither can move: both sides work
// at the same time and the buffers stay the size of the socket's.
void Connection::exchange(std::string_view bytes, std::size_t commands,
                          const std::function<void(protocol::Reply&&)>& on_reply) {
  require_open();
  if (ssl_) {  // OpenSSL's records make the byte-level interleaving moot
    send_raw(bytes, commands);
    for (std::size_t i = 0; i < commands; ++i) on_reply(read());
    return;
  }
  if (!out_.empty()) flush();
  sent_ += commands;
  std::size_t done = 0;
  std::size_t got = 0;
  auto until = deadline();
  protocol::Reply reply;
  while (done < bytes.size()) {
    bool moved = false;
    ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      last_sent_ = Clock::now();
      moved = true;
    } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      fail_io("cannot write to the server: " + errno_text(errno));
    }
    compact_input();
    const std::size_t old = in_.size();
    in_.resize(old + kReadChunk);
    ssize_t r = ::recv(fd_, in_.data() + old, kReadChunk, MSG_DONTWAIT);
    in_.resize(old + static_cast<std::size_t>(std::max<ssize_t>(r, 0)));
    if (r == 0) fail_io("the server closed the connection");
    if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      fail_io("cannot read from the server: " + errno_text(errno));
    }
    if (r > 0) moved = true;
    while (got < commands && parse_buffered(reply)) {
      on_reply(std::move(reply));
      ++got;
    }
    if (moved) {
      until = deadline();
      continue;
    }
    // Neither way moved: wait for either.
    int wait_ms = -1;
    if (until != Clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left.count() <= 0) fail_io("timed out waiting for the server");
      wait_ms = static_cast<int>(std::min<std::int64_t>(left.count(), 1 << 30));
    }
    pollfd p{fd_, POLLIN | POLLOUT, 0};
    if (::poll(&p, 1, wait_ms) == 0) fail_io("timed out waiting for the server");
  }
  for (; got < commands; ++got) on_reply(read());
}

protocol::Reply Connection::read() {
  if (!out_.empty()) flush();
  require_open();
  const auto until = deadline();
  for (;;) {
    protocol::Reply reply;
    if (parse_buffered(reply)) return reply;
    compact_input();
    const std::size_t old = in_.size();
    if (ssl_) {
      in_.resize(old + kReadChunk);
      std::size_t got = tls_io(false, in_.data() + old, kReadChunk, until);
      in_.resize(old + got);
      if (got == 0) fail_io("the server closed the connection");
      continue;
    }
    wait_io(POLLIN, until);
    in_.resize(old + kReadChunk);
    ssize_t n = ::recv(fd_, in_.data() + old, kReadChunk, 0);
    if (n < 0) {
      in_.resize(old);
      if (errno == EINTR) continue;
      fail_io("cannot read from the server: " + errno_text(errno));
    }
    in_.resize(old + static_cast<std::size_t>(n));
    if (n == 0) fail_io("the server closed the connection");
  }
}

}  // namespace procshare

#include "support/server_process.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "support/tls_certs.hpp"

namespace procshare::test {

namespace {

std::runtime_error sys_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

}  // namespace

bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = 1ms;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::milliseconds>(pause * 2, 50ms);
  }
}

std::string temp_path(std::string_view stem) {
  static std::atomic<int> counter{0};
  // PIDs are reused; a per-process random tag keeps names from colliding
  // with what an earlier, killed run may have left behind.
  static const unsigned tag = std::random_device{}();
  const char* dir = std::getenv("TMPDIR");
  std::string base = dir && *dir ? dir : "/tmp";
  return base + "/procshare-" + std::string(stem) + "-" + std::to_string(getpid()) + "-" +
         std::to_string(tag % 100000) + "-" + std::to_string(counter++);
}

ServerProcess::ServerProcess() : ServerProcess(Options{}) {}

ServerProcess::ServerProcess(Options options) : options_(std::move(options)) {
  unix_path_ = options_.unix_path.empty() ? temp_path("sock") : options_.unix_path;
  log_path_ = temp_path("log");
  std::string binary = options_.binary.empty() ? PROCSHARE_SERVER_BIN : options_.binary;
  std::vector<std::string> argv{binary, "--unix", unix_path_};
  tls_ = options_.tcp && options_.tls.value_or(tls_mode());
  if (tls_) {
    // The TLS listener takes the plain TCP port's place.
    auto tls_args = tls_server_args(test_certs());
    argv.push_back("--no-tcp");
    argv.insert(argv.end(), tls_args.begin(), tls_args.end());
    if (!options_.tls) {
      // The tls.* copies of the suites: the same byte stream inside TLS, and
      // the authkey rules as they are (client certificates would
      // authenticate every client; tls_test.cpp covers them).
      argv.insert(argv.end(), {"--tls-auth-clients", "no"});
    }
  } else if (options_.tcp) {
    argv.insert(argv.end(), {"--tcp", "127.0.0.1:0"});
  }  // else the default: no TCP listener
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  pid_ = fork();
  if (pid_ < 0) throw sys_error("fork");
  if (pid_ == 0) {
    int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 2);
      dup2(fd, 1);
    }
    if (options_.authkey) {
      setenv("PROCSHARE_AUTHKEY", options_.authkey->c_str(), 1);
    } else {
      unsetenv("PROCSHARE_AUTHKEY");
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  // Ready when the socket answers PING (PING needs no authentication).
  bool up = wait_until(
      [&] {
        if (!running()) return true;
        try {
          auto c = RawClient::unix_socket(unix_path_);
          return c.call({"PING"}, 2s).str == "PONG";
        } catch (const std::exception&) {
          return false;
        }
      },
      20s);
  if (!up || !running()) {
    throw std::runtime_error("procshare-server did not start; its log:\n" + log());
  }
  if (options_.tcp) {
    auto c = RawClient::unix_socket(unix_path_);
    if (options_.authkey) c.call({"AUTH", *options_.authkey});
    tcp_port_ = static_cast<int>(info_field(c, tls_ ? "tls_port" : "tcp_port"));
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && !status_) {
    kill(pid_, SIGTERM);
    if (!wait_exit(5s)) {
      kill(pid_, SIGKILL);
      wait_exit(5s);
    }
  }
  ::unlink(unix_path_.c_str());
  ::unlink(log_path_.c_str());
}

std::string ServerProcess::log() const {
  std::ifstream f(log_path_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool ServerProcess::running() {
  if (status_) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
    return false;
  }
  return true;
}

std::optional<int> ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
  wait_until([&] { return !running(); }, timeout);
  return status_;
}

void ServerProcess::kill_hard() {
  if (running()) kill(pid_, SIGKILL);
  wait_exit(10s);
}

int ServerProcess::terminate(std::chrono::milliseconds timeout) {
  if (running()) kill(pid_, SIGTERM);
  auto st = wait_exit(timeout);
  if (!st) {
    kill(pid_, SIGKILL);
    st = wait_exit(5s);
  }
  return st.value_or(-999);
}

RawClient RawClient::unix_socket(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sys_error("socket");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw sys_error("connect " + path);
  }
  return RawClient(fd);
}

RawClient RawClient::tcp(int port, const std::string& host) {
  if (!tls_mode()) return plain_tcp(port, host);
  const TestCerts& c = test_certs();
  return tls(port, {c.ca_cert, c.client_cert, c.client_key, ""}, host);
}

namespace {

std::string ssl_error_text() {
  unsigned long e = ERR_peek_last_error();
  std::string text = e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "?" : "";
  ERR_clear_error();
  return text;
}

}  // namespace

RawClient RawClient::tls(int port, const TlsClientOptions& o, const std::string& host) {
  // OpenSSL writes with write(): a server that closed first must be an
  // error here, not a SIGPIPE that ends the test program.
  ::signal(SIGPIPE, SIG_IGN);
  RawClient rc = plain_tcp(port, host);
  ERR_clear_error();
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  if (!o.ca_cert.empty()) {
    if (SSL_CTX_load_verify_locations(ctx.get(), o.ca_cert.c_str(), nullptr) != 1) {
      throw std::runtime_error("CA " + o.ca_cert + ": " + ssl_error_text());
    }
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  }
  if (!o.cert.empty() &&
      (SSL_CTX_use_certificate_chain_file(ctx.get(), o.cert.c_str()) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx.get(), o.key.c_str(), SSL_FILETYPE_PEM) != 1)) {
    throw std::runtime_error("client certificate " + o.cert + ": " + ssl_error_text());
  }
  SSL* ssl = SSL_new(ctx.get());  // holds its own reference to ctx
  rc.ssl_ = ssl;
  SSL_set_fd(ssl, rc.fd_);
  if (!o.verify_host.empty()) SSL_set1_host(ssl, o.verify_host.c_str());
  if (SSL_connect(ssl) != 1) {
    std::string why = ssl_error_text();
    long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) why += std::string(" (") + X509_verify_cert_error_string(v) + ")";
    throw std::runtime_error("TLS handshake failed: " + why);
  }
  // TLS 1.3: the server's verdict on our certificate arrives after the
  // handshake, with the first read; a refusal then shows as a closed connection.
  // Non-blocking from here: a readable socket may hold only a session ticket,
  // and a blocking SSL_read would then wait past every deadline.
  ::fcntl(rc.fd_, F_SETFL, ::fcntl(rc.fd_, F_GETFL) | O_NONBLOCK);
  return rc;
}

RawClient RawClient::plain_tcp(int port, const std::string& host) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw sys_error("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw sys_error("connect tcp " + std::to_string(port));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return RawClient(fd);
}

RawClient::RawClient(RawClient&& o) noexcept
    : fd_(o.fd_), ssl_(o.ssl_), buffer_(std::move(o.buffer_)) {
  o.fd_ = -1;
  o.ssl_ = nullptr;
}

RawClient& RawClient::operator=(RawClient&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    ssl_ = o.ssl_;
    buffer_ = std::move(o.buffer_);
    o.fd_ = -1;
    o.ssl_ = nullptr;
  }
  return *this;
}

RawClient::~RawClient() {
  close();
}

void RawClient::close() {
  if (ssl_) SSL_free(static_cast<SSL*>(ssl_));
  ssl_ = nullptr;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::send_raw(std::string_view bytes) {
  if (ssl_) {
    SSL* ssl = static_cast<SSL*>(ssl_);
    while (!bytes.empty()) {
      std::size_t n = 0;
      ERR_clear_error();
      int r = SSL_write_ex(ssl, bytes.data(), bytes.size(), &n);
      if (r == 1) {
        bytes.remove_prefix(n);
        continue;
      }
      int e = SSL_get_error(ssl, r);
      if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) {
        throw std::runtime_error("TLS send: " + ssl_error_text());
      }
      pollfd p{fd_, static_cast<short>(e == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN), 0};
      ::poll(&p, 1, 10000);
    }
    return;
  }
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys_error("send");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void RawClient::send(const std::vector<std::string>& args) {
  std::string frame = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) frame += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  send_raw(frame);
}

bool RawClient::fill(std::chrono::milliseconds timeout) {
  if (ssl_) {
    SSL* ssl = static_cast<SSL*>(ssl_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (SSL_pending(ssl) == 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0)));
        if (r == 0) return false;
        if (r < 0) throw sys_error("poll");
      }
      char chunk[65536];
      std::size_t n = 0;
      ERR_clear_error();
      int r = SSL_read_ex(ssl, chunk, sizeof chunk, &n);
      if (r == 1) {
        buffer_.append(chunk, n);
        return true;
      }
      int e = SSL_get_error(ssl, r);
      if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) continue;  // a ticket, no data
      std::string why = ssl_error_text();
      throw std::runtime_error("connection closed by the server" +
                               (why.empty() ? std::string() : " (TLS: " + why + ")"));
    }
  }
  pollfd p{fd_, POLLIN, 0};
  int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (r == 0) return false;
  if (r < 0) throw sys_error("poll");
  char chunk[65536];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n < 0) throw sys_error("recv");
  if (n == 0) throw std::runtime_error("connection closed by the server");
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

Reply RawClient::read(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  protocol::ReplyParser parser;
  for (;;) {
    Reply r;
    std::size_t used = 0;
    std::string err;
    auto st = parser.parse(buffer_, &r, &used, &err);
    if (st == protocol::ReplyStatus::complete) {
      buffer_.erase(0, used);
      return r;
    }
    if (st == protocol::ReplyStatus::error) throw std::runtime_error("bad reply: " + err);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || !fill(left)) throw std::runtime_error("timed out waiting for a reply");
  }
}

Reply RawClient::call(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  send(args);
  return read(timeout);
}

bool RawClient::no_reply_within(std::chrono::milliseconds quiet) {
  if (!buffer_.empty()) return false;
  return !fill(quiet);
}

bool RawClient::closed_by_peer(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    try {
      if (!fill(left)) return false;
      buffer_.clear();
    } catch (const std::runtime_error&) {
      return true;  // EOF or reset
    }
  }
}

std::string RawClient::read_raw(std::chrono::milliseconds timeout) {
  try {
    fill(timeout);
  } catch (const std::runtime_error&) {
  }
  return std::exchange(buffer_, {});
}

int count_fds(pid_t pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n;
}

std::size_t rss_bytes(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/statm");
  std::size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

long info_field(RawClient& c, const std::string& field) {
  Reply r = c.call({"INFO"});
  std::string key = field + ":";
  auto pos = r.str.find("\n" + key);
  if (pos == std::string::npos) {
    if (r.str.rfind(key, 0) != 0) throw std::runtime_error("INFO has no field " + field);
    pos = 0;
  } else {
    pos += 1;
  }
  return std::stol(r.str.substr(pos + key.size()));
}

}  // namespace procshare::test

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
  if (options_.tcp) {
    argv.insert(argv.end(), {"--tcp", "127.0.0.1:0"});
  } else {
    argv.push_back("--no-tcp");
  }
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
    tcp_port_ = static_cast<int>(info_field(c, "tcp_port"));
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

RawClient::RawClient(RawClient&& o) noexcept : fd_(o.fd_), buffer_(std::move(o.buffer_)) {
  o.fd_ = -1;
}

RawClient& RawClient::operator=(RawClient&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = o.fd_;
    buffer_ = std::move(o.buffer_);
    o.fd_ = -1;
  }
  return *this;
}

RawClient::~RawClient() {
  close();
}

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::send_raw(std::string_view bytes) {
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

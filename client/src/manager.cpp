// Manager: starts procshare-server (through a keeper process, see
// run_keeper) on a private socket with a fresh key, and shuts it down in
// order. Everything the children need (argv, envp, paths) is built before
// the fork, so they only make async-signal-safe calls (open, dup2, prctl,
// close_range, waitpid, execve): the parent may be multi-threaded.
#include "procshare/manager.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "procshare/protocol/handshake.hpp"

extern char** environ;

namespace procshare {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

bool executable(const std::string& path) {
  return !path.empty() && ::access(path.c_str(), X_OK) == 0 && !std::filesystem::is_directory(path);
}

std::string self_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

// Polls with a growing pause: the server needs a few milliseconds to start.
template <class Pred>
bool poll_until(Clock::time_point deadline, Pred pred) {
  auto pause = 1ms;
  for (;;) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::milliseconds>(pause * 2, 50ms);
  }
}

// fork() as a raw system call, with the given exit signal. Raw, so that
// glibc's fork handlers (ours in client_state.cpp among them) do not run:
// they take locks another thread of a multi-threaded parent may hold.
pid_t clone_process(int exit_signal) {
  return static_cast<pid_t>(::syscall(SYS_clone, static_cast<unsigned long>(exit_signal), nullptr,
                                      nullptr, nullptr, 0UL));
}

void default_signals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE}) ::sigaction(sig, &dfl, nullptr);
}

// The keeper: a copy of the Manager's process, made with exit signal 0 so
// that it is a "clone child" that the user's wait(nullptr) loops neither
// see nor hang on (such a child is reaped only with __WCLONE, and — unlike
// the server — it never execs, which would turn it into a normal child).
// It starts the server as its own child, reports the server's pid, and
// waits for it. Death propagates through PR_SET_PDEATHSIG: Manager's thread
// dies -> keeper gets SIGKILL -> server gets SIGTERM and exits cleanly.
// Only async-signal-safe calls from here on: the parent may be threaded.
[[noreturn]] void run_keeper(pid_t manager, int report_fd, char* const* argv, char* const* envp,
                             const char* log_path) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::syscall(SYS_getppid) != manager) ::_exit(127);  // it died before prctl
  default_signals();
  // Hold none of the Manager's descriptors (a pipe the user waits on for EOF
  // must not stay open in here), except the report pipe.
  if (report_fd > 3) ::close_range(3, static_cast<unsigned>(report_fd) - 1, 0);
  ::close_range(static_cast<unsigned>(report_fd) + 1, ~0U, 0);
  const pid_t keeper = static_cast<pid_t>(::syscall(SYS_getpid));
  pid_t server = clone_process(SIGCHLD);
  if (server == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::syscall(SYS_getppid) != keeper) ::_exit(127);
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, 0);
    int log_fd = ::open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (log_fd >= 0) {
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
    }
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv, envp);
    ::_exit(127);
  }
  int report = server;
  (void)::write(report_fd, &report, sizeof report);
  ::close(report_fd);
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    for (int fd = 0; fd < 3; ++fd) ::dup2(null_fd, fd);
    if (null_fd > 2) ::close(null_fd);
  }
  if (server < 0) ::_exit(126);
  int status = 0;
  while (::waitpid(server, &status, 0) < 0 && errno == EINTR) {
  }
  ::_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

pid_t read_server_pid(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  int pid = -1;
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0 ||
      ::read(fd, &pid, sizeof pid) != static_cast<ssize_t>(sizeof pid) || pid <= 0) {
    throw Error("MANAGER", "could not start procshare-server (no report from its keeper)");
  }
  return pid;
}

}  // namespace

std::string Manager::find_server(const std::string& hint) {
  std::vector<std::string> tried;
  auto consider = [&](const std::string& p) {
    if (p.empty()) return false;
    tried.push_back(p);
    return executable(p);
  };
  if (!hint.empty()) {
    if (consider(hint)) return hint;
    throw Error("MANAGER", "the procshare-server given (" + hint + ") is not an executable file");
  }
  if (const char* env = std::getenv("PROCSHARE_SERVER"); env && *env) {
    if (consider(env)) return env;
    throw Error("MANAGER", std::string("PROCSHARE_SERVER=") + env + " is not an executable file");
  }
  if (std::string dir = self_dir(); !dir.empty() && consider(dir + "/procshare-server")) {
    return dir + "/procshare-server";
  }
#ifdef PROCSHARE_SERVER_BUILD_PATH
  if (consider(PROCSHARE_SERVER_BUILD_PATH)) return PROCSHARE_SERVER_BUILD_PATH;
#endif
#ifdef PROCSHARE_SERVER_INSTALL_PATH
  if (consider(PROCSHARE_SERVER_INSTALL_PATH)) return PROCSHARE_SERVER_INSTALL_PATH;
#endif
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty() && executable(dir + "/procshare-server")) return dir + "/procshare-server";
    }
  }
  std::string list;
  for (const auto& t : tried) list += " " + t;
  throw Error("MANAGER", "cannot find procshare-server (tried" + list +
                             " and $PATH); set ManagerOptions::server or env PROCSHARE_SERVER");
}

Manager::Manager() : Manager(ManagerOptions{}) {}

Manager::Manager(ManagerOptions options) {
  owner_pid_ = ::getpid();
  stop_timeout_ = options.stop_timeout;
  try {
    start(options);
  } catch (...) {
    // No destructor runs for a half-built object: clean up here.
    stop_server(std::chrono::milliseconds(0));
    remove_files();
    throw;
  }
}

Manager::~Manager() {
  try {
    shutdown();
  } catch (...) {
    // A destructor must not throw; shutdown() already did what it could.
  }
}

void Manager::start(const ManagerOptions& options) {
  const std::string binary = find_server(options.server);
  authkey_ = options.authkey ? *options.authkey : protocol::auth::random_nonce_hex();
  if (auto problem = protocol::auth::key_problem(authkey_, "ManagerOptions::authkey");
      !problem.empty()) {
    throw Error("MANAGER", problem);  // the server would refuse it
  }

  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/procshare-manager-XXXXXX";
  if (::mkdtemp(templ.data()) == nullptr) {
    throw Error("MANAGER", "mkdtemp(" + templ + "): " + std::strerror(errno));
  }
  dir_ = templ;
  socket_path_ = dir_ + "/procshare.sock";
  own_log_ = !options.log_file;
  log_path_ = options.log_file ? *options.log_file : dir_ + "/server.log";

  // --private-dir: the server removes the directory when it exits, even if
  // this process was SIGKILLed (the keeper's death sends the server SIGTERM).
  std::vector<std::string> argv{binary, "--unix", socket_path_, "--private-dir", dir_};
  if (options.tcp) {
    argv.insert(argv.end(), {"--tcp", *options.tcp});
  } else {
    argv.push_back("--no-tcp");
  }
  argv.insert(argv.end(), options.server_args.begin(), options.server_args.end());
  std::vector<std::string> envs;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "PROCSHARE_AUTHKEY=", 18) != 0) envs.emplace_back(*e);
  }
  envs.push_back("PROCSHARE_AUTHKEY=" + authkey_);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  const char* log_path = log_path_.c_str();
  const pid_t manager = ::getpid();

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    throw Error("MANAGER", std::string("pipe2(): ") + std::strerror(errno));
  }
  keeper_pid_ = clone_process(0);
  if (keeper_pid_ < 0) {
    int err = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw Error("MANAGER", std::string("clone(): ") + std::strerror(err));
  }
  if (keeper_pid_ == 0) run_keeper(manager, report[1], cargv.data(), cenv.data(), log_path);
  ::close(report[1]);
  server_pid_ = read_server_pid(report[0], options.start_timeout);
  ::close(report[0]);

  ConnectOptions copts = options.connect;
  copts.authkey = authkey_;
  copts.authkey_file.reset();
  const Address unix_addr = Address::unix_socket(socket_path_);
  const auto deadline = Clock::now() + options.start_timeout;
  std::string last_error = "timed out";
  bool exited = false;
  bool up = poll_until(deadline, [&] {
    if (reap(0ms)) {
      exited = true;
      return true;
    }
    std::error_code ec;
    if (!std::filesystem::exists(socket_path_, ec)) return false;
    try {
      static_cast<Client&>(*this) = Client::connect(unix_addr, copts);
      return true;
    } catch (const ConnectionError& e) {
      last_error = e.what();
      return false;
    }
  });
  if (exited || !up) {
    std::string why = exited ? "exited at startup" : "did not start in time (" + last_error + ")";
    throw Error("MANAGER", "procshare-server " + why + "; its log:\n" + log_tail());
  }
  if (options.tcp) {
    protocol::Reply info = call({"INFO", "server"});
    std::string text = info.str;
    auto pos = text.find("tcp_port:");
    if (pos == std::string::npos) throw Error("MANAGER", "INFO does not report tcp_port");
    const int port = std::atoi(text.c_str() + pos + 9);
    // The host of "host:port" or "[v6]:port" (port 0 is allowed here).
    std::string host = options.tcp->substr(0, options.tcp->rfind(':'));
    if (host.size() >= 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    // A wildcard listener is reached through loopback from this machine.
    if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
    if (host == "::") host = "::1";
    tcp_ = Address::tcp(host, port);
  }
}

bool Manager::running() const {
  return keeper_pid_ > 0 && server_pid_ > 0 && ::kill(server_pid_, 0) == 0;
}

bool Manager::reap(std::chrono::milliseconds timeout) {
  if (keeper_pid_ <= 0) return true;
  auto done = [&] {
    int status = 0;
    pid_t r = ::waitpid(keeper_pid_, &status, WNOHANG | __WCLONE);
    if (r == keeper_pid_ || (r < 0 && errno == ECHILD)) {
      // The keeper exits only after it has reaped the server.
      keeper_pid_ = -1;
      server_pid_ = -1;
      return true;
    }
    return false;
  };
  if (timeout.count() <= 0) return done();
  return poll_until(Clock::now() + timeout, done);
}

void Manager::stop_server(std::chrono::milliseconds timeout) {
  if (keeper_pid_ <= 0) return;
  // Politely first: SHUTDOWN lets the server answer its waiters and remove
  // its socket. Over a fresh connection, as this thread's may be broken.
  if (timeout.count() > 0) {
    try {
      ConnectOptions o;
      o.authkey = authkey_;
      o.connect_timeout = std::min<std::chrono::milliseconds>(timeout, 2000ms);
      o.io_timeout = o.connect_timeout;
      Connection c = Connection::open(Address::unix_socket(socket_path_), o);
      c.call({"SHUTDOWN"});
    } catch (const Error&) {
      // It closes the connection as it exits, or it is already gone.
    }
    if (reap(timeout)) return;
    if (server_pid_ > 0) ::kill(server_pid_, SIGTERM);
    if (reap(timeout)) return;
  }
  if (server_pid_ > 0) ::kill(server_pid_, SIGKILL);
  ::kill(keeper_pid_, SIGKILL);
  reap(10s);
}

void Manager::remove_files() {
  std::error_code ec;
  if (!socket_path_.empty()) std::filesystem::remove(socket_path_, ec);
  if (own_log_ && !log_path_.empty()) std::filesystem::remove(log_path_, ec);
  if (!dir_.empty()) std::filesystem::remove(dir_, ec);
  dir_.clear();
}

void Manager::shutdown() {
  if (owner_pid_ != ::getpid()) return;  // a forked child: the server is not ours
  if (valid()) close();                  // this process's connections
  stop_server(stop_timeout_);
  remove_files();
}

std::string Manager::log_tail() const {
  std::ifstream f(log_path_);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string s = ss.str();
  constexpr std::size_t kTail = 4000;
  return s.size() > kTail ? "..." + s.substr(s.size() - kTail) : s;
}

}  // namespace procshare

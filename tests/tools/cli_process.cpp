#include "cli_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "support/server_process.hpp"

namespace procshare::test {

namespace {

// One HOME (for the history file) per test process, removed at exit. It is
// made by mkdtemp (a fresh name even when a PID is reused) and always in the
// test process itself: cli_home() is called before every fork, so a child
// never creates one it could not remove.
struct PrivateHome {
  std::string dir;
  PrivateHome() {
    std::string pattern = temp_path("cli-home") + "-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern);
    dir = pattern;
  }
  ~PrivateHome() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

const std::string& cli_home() {
  static PrivateHome home;
  return home.dir;
}

namespace {

// In the child, before exec.
void apply_env(const CliEnv& env) {
  ::unsetenv("PROCSHARE_AUTHKEY");
  ::unsetenv("PROCSHARE_HISTFILE");
  ::setenv("HOME", cli_home().c_str(), 1);
  ::setenv("TERM", "dumb", 1);  // the plainest redraws; no terminfo needed
  for (const auto& [k, v] : env) {
    if (v.empty()) {
      ::unsetenv(k.c_str());
    } else {
      ::setenv(k.c_str(), v.c_str(), 1);
    }
  }
}

[[noreturn]] void exec_cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv{PROCSHARE_CLI_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  ptrs.push_back(nullptr);
  ::execv(ptrs[0], ptrs.data());
  _exit(127);
}

int decode_status(int st) {
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

}  // namespace

CliResult run_cli(const std::vector<std::string>& args, std::string_view input, const CliEnv& env,
                  std::chrono::milliseconds timeout) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
    throw std::runtime_error("pipe");
  }
  cli_home();  // made here, in the test process (see PrivateHome)
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    apply_env(env);
    exec_cli(args);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  // Feed stdin from a thread so that a large input cannot deadlock with output.
  std::string data(input);
  int in_fd = in[1];
  std::thread feeder([in_fd, data] {
    ::signal(SIGPIPE, SIG_IGN);
    std::size_t off = 0;
    while (off < data.size()) {
      ssize_t n = ::write(in_fd, data.data() + off, data.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    ::close(in_fd);
  });
  CliResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int st = 0;
  ::waitpid(pid, &st, 0);
  feeder.join();
  result.status = timed_out ? -999 : decode_status(st);
  return result;
}

CliTerminal::CliTerminal(const std::vector<std::string>& args, const CliEnv& env) {
  winsize ws{};
  ws.ws_row = 40;
  ws.ws_col = 200;
  cli_home();  // made here, in the test process (see PrivateHome)
  pid_ = ::forkpty(&fd_, nullptr, nullptr, &ws);
  if (pid_ < 0) throw std::runtime_error(std::string("forkpty: ") + std::strerror(errno));
  if (pid_ == 0) {
    apply_env(env);
    exec_cli(args);
  }
}

CliTerminal::~CliTerminal() {
  if (status_ == -999 && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
  }
  if (fd_ >= 0) ::close(fd_);
}

void CliTerminal::type(std::string_view keys) {
  // Keys typed while the terminal is still in canonical mode (libedit sets
  // its own mode as it starts reading a line, not before) are edited by the
  // kernel instead: a Ctrl-D there is an EOF marker libedit never sees. A pty
  // master reports the terminal's settings, so wait for libedit's mode.
  wait_until([&] {
    termios t{};
    return ::tcgetattr(fd_, &t) == 0 && !(t.c_lflag & ICANON);
  });
  while (!keys.empty()) {
    ssize_t n = ::write(fd_, keys.data(), keys.size());
    if (n <= 0) throw std::runtime_error("write to the pty failed");
    keys.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool CliTerminal::expect(std::string_view needle, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    std::size_t at = seen_.find(needle, skip_);
    if (at != std::string::npos) {
      skip_ = at + needle.size();
      return true;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return seen_.find(needle, skip_) != std::string::npos;  // EIO: child gone
    seen_.append(buf, static_cast<std::size_t>(n));
  }
}

int CliTerminal::wait_exit(std::chrono::milliseconds timeout) {
  if (status_ != -999) return status_;
  wait_until(
      [&] {
        // Keep draining the terminal so the child never blocks on a full pty.
        char buf[4096];
        pollfd p{fd_, POLLIN, 0};
        while (::poll(&p, 1, 0) > 0 && ::read(fd_, buf, sizeof buf) > 0) {
        }
        int st = 0;
        if (::waitpid(pid_, &st, WNOHANG) == pid_) status_ = decode_status(st);
        return status_ != -999;
      },
      timeout);
  return status_;
}

}  // namespace procshare::test

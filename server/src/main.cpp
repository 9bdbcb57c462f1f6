// procshare-server: parse flags, register the built-in types, serve until
// SHUTDOWN, SIGTERM or SIGINT, then exit 0.
#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <asio.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "procshare/protocol/handshake.hpp"

#include "procshare/server/builtins.hpp"
#include "procshare/server/config.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/server.hpp"
#include "procshare/server/version.hpp"

using namespace procshare::server;

namespace {

// Descriptors kept for listeners, log files and the like (Redis keeps 32).
constexpr std::size_t kReservedFds = 32;

// Raises the soft RLIMIT_NOFILE to what --maxclients needs (up to the hard
// limit); if that is not enough, lowers maxclients so that every client past
// it gets -LIMIT rather than a connection the server cannot accept.
void fit_maxclients_to_fd_limit(Config& config) {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  const rlim_t wanted = static_cast<rlim_t>(config.maxclients + kReservedFds);
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < wanted) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? wanted : std::min(wanted, lim.rlim_max);
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < wanted) {
    const std::size_t fit =
        lim.rlim_cur > kReservedFds + 1 ? static_cast<std::size_t>(lim.rlim_cur) - kReservedFds : 1;
    log::warning(
        "open file limit {} is too low for --maxclients {}: serving at most {} clients (raise "
        "'ulimit -n' to {} to serve them all)",
        static_cast<unsigned long long>(lim.rlim_cur), config.maxclients, fit,
        static_cast<unsigned long long>(wanted));
    config.maxclients = fit;
  }
}

// --gen-authkey FILE: a fresh key, created 0600 and never over an existing
// file (O_EXCL), so a typo cannot replace the key every client uses.
int write_new_key_file(const std::string& path) {
  const std::string key = procshare::protocol::auth::random_key_text() + "\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    fmt::print(stderr, "procshare-server: --gen-authkey {}: {}{}\n", path, std::strerror(errno),
               errno == EEXIST ? " (not overwriting an existing file)" : "");
    return 1;
  }
  ::fchmod(fd, 0600);  // whatever the umask
  bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    fmt::print(stderr, "procshare-server: --gen-authkey {}: write failed\n", path);
    ::unlink(path.c_str());
    return 1;
  }
  fmt::print("wrote a new authkey to {} (mode 0600); start the server with --authkey-file {}\n",
             path, path);
  return 0;
}

// --private-dir: what a Manager put there, then the directory, so that a
// Manager killed with SIGKILL (which sends this server SIGTERM through its
// parent-death signal) leaves nothing behind. Only these names: the flag
// must not be able to delete anything else.
void remove_private_dir(const std::string& dir) {
  for (const char* name : {"procshare.sock", "authkey", "server.log"}) {
    ::unlink((dir + "/" + name).c_str());
  }
  ::rmdir(dir.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  try {
    config = parse_config(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "procshare-server: {}\n", e.what());
    return 2;
  }
  if (config.help) {
    fmt::print("{}", config_help());
    return 0;
  }
  if (config.version) {
    fmt::print("procshare-server {}\n", kVersion);
    return 0;
  }
  if (config.gen_authkey) return write_new_key_file(*config.gen_authkey);
  log::Level level = log::Level::notice;
  log::parse_level(config.loglevel, &level);
  log::set_level(level);
  ::signal(SIGPIPE, SIG_IGN);
  fit_maxclients_to_fd_limit(config);

  asio::io_context io(1);
  Engine engine(config);
  register_builtins(engine);
  if (config.appendonly) {
    try {
      engine.start_persistence();
    } catch (const std::exception& e) {
      log::warning("{}", e.what());
      fmt::print(stderr, "procshare-server: {}\n", e.what());
      return 1;
    }
  }
  Server server(io, engine);
  try {
    server.start();
  } catch (const std::exception& e) {
    log::warning("{}", e.what());
    fmt::print(stderr, "procshare-server: {}\n", e.what());
    return 1;
  }
  log::notice("procshare-server {} ready (pid {}, {})", kVersion, ::getpid(),
              config.authkey ? "authkey required" : "no authkey: local clients only");

  // Stop = close listeners and let connections finish; a guard timer makes
  // sure a stuck peer cannot keep the process alive.
  asio::steady_timer guard(io);
  auto stop = [&] {
    if (server.stopping()) return;
    guard.expires_after(std::chrono::seconds(3));
    guard.async_wait([&](asio::error_code ec) {
      if (!ec) io.stop();
    });
    server.stop();
  };
  engine.on_shutdown = [&] { asio::post(io, stop); };
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](asio::error_code ec, int sig) {
    if (ec) return;
    log::notice("received {}", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    stop();
  });
  // SIGHUP re-reads the TLS certificates and keys (renewed files, same
  // paths); a failure is logged and the old ones stay in use. Without TLS,
  // SIGHUP keeps its default action.
  asio::signal_set hangup(io);
  std::function<void()> on_hangup = [&] {
    hangup.async_wait([&](asio::error_code ec, int) {
      if (ec) return;
      try {
        server.reload_tls(engine.config().tls);
      } catch (const std::exception& e) {
        log::warning("SIGHUP: TLS reload failed, keeping the current certificates: {}", e.what());
      }
      on_hangup();
    });
  };
  if (config.tls.enabled()) {
    hangup.add(SIGHUP);
    on_hangup();
  }
  // Once every connection is gone nothing but these three keeps run() going.
  server.on_stopped = [&] {
    signals.cancel();
    hangup.cancel();
    guard.cancel();
  };
  io.run();
  log::notice("bye");
  if (config.private_dir) remove_private_dir(*config.private_dir);
  return 0;
}

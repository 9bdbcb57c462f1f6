// procshare-server: parse flags, register the built-in types, serve until
// SHUTDOWN, SIGTERM or SIGINT, then exit 0.
#include <fmt/format.h>
#include <signal.h>
#include <asio.hpp>

#include <cstdio>

#include "procshare/server/builtins.hpp"
#include "procshare/server/config.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/server.hpp"
#include "procshare/server/version.hpp"

using namespace procshare::server;

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
  log::Level level = log::Level::notice;
  log::parse_level(config.loglevel, &level);
  log::set_level(level);
  ::signal(SIGPIPE, SIG_IGN);

  asio::io_context io(1);
  Engine engine(config);
  register_builtins(engine);
  Server server(io, engine);
  try {
    server.start();
  } catch (const std::exception& e) {
    log::warning("{}", e.what());
    fmt::print(stderr, "procshare-server: {}\n", e.what());
    return 1;
  }
  log::notice("procshare-server {} ready (pid {}, {})", kVersion, ::getpid(),
              config.authkey ? "authkey required" : "protected mode: local clients only");

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
  return 0;
}

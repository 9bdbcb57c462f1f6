#pragma once
// Server settings (procshare-server's flags). Parsed in config.cpp.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "procshare/protocol/limits.hpp"

namespace procshare::server {

struct Config {
  std::optional<std::string> unix_path = std::string("/tmp/procshare.sock");
  std::vector<std::string> tcp;  // "host:port"; default 127.0.0.1:7379 unless --no-tcp
  bool no_tcp = false;
  std::optional<std::string> authkey;
  protocol::Limits limits;
  // Before authentication on a keyed server (PROTOCOL.md §2); the stricter of
  // these and `limits` applies.
  protocol::Limits preauth_limits = protocol::Limits::pre_auth();
  std::size_t maxclients = 10000;
  std::size_t max_objects = 0;                         // 0 = unlimited
  std::size_t max_output_buffer = 256u * 1024 * 1024;  // replies queued for one client
  std::chrono::seconds idle_timeout{0};                // 0 = never
  int tcp_keepalive = 15;                              // seconds idle before probes; 0 = off
  std::string loglevel = "notice";
  bool help = false;
  bool version = false;
};

// Parses argv; throws std::invalid_argument with a clear message on a bad flag.
Config parse_config(int argc, char** argv);
std::string config_help();

}  // namespace procshare::server

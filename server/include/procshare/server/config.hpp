#pragma once
// Server settings (procshare-server's flags). Parsed in config.cpp.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/limits.hpp"

namespace procshare::server {

// The TLS listener (docs/tls.md). Empty paths are unset. Read at start-up,
// and again on CONFIG SET tls-* and SIGHUP.
struct TlsConfig {
  int port = -1;                   // -1: no TLS listener; 0: any free port
  std::string bind = "127.0.0.1";  // --tls-bind
  std::string cert_file;
  std::string key_file;
  std::string ca_cert_file;
  std::string ca_cert_dir;
  std::string auth_clients = "yes";  // yes | no | optional (mutual TLS by default, as Redis)
  std::string protocols = "TLSv1.2 TLSv1.3";
  std::string ciphers;       // TLS 1.2 cipher list; empty: OpenSSL's default
  std::string ciphersuites;  // TLS 1.3 suites; empty: OpenSSL's default
  bool enabled() const { return port >= 0; }
  // Clients must present a certificate the CA verifies.
  bool clients_required() const { return auth_clients == "yes"; }
};

struct Config {
  std::optional<std::string> unix_path = std::string("/tmp/procshare.sock");
  std::vector<std::string> tcp;  // "host:port" (--tcp); none by default
  bool no_tcp = false;
  std::optional<std::string> authkey;
  protocol::Limits limits;
  // Before authentication on a keyed server (PROTOCOL.md §2); the stricter of
  // these and `limits` applies.
  protocol::Limits preauth_limits = protocol::Limits::pre_auth();
  std::size_t maxclients = 10000;
  std::size_t max_objects = 0;  // 0 = unlimited
  // Replies queued for one client beyond its largest one (0 = no limit).
  std::size_t max_output_buffer = 256u * 1024 * 1024;
  // Bytes of requests received and not yet run, summed over all clients; a
  // client that would take the sum past it while others hold some too is
  // refused (0 = no limit).
  std::size_t max_pending_input = 1024u * 1024 * 1024;
  // Redis's noeviction: past it, commands flagged `grows` get -OOM (0 = no limit).
  std::size_t maxmemory = 0;
  std::size_t max_array_len = 1024 * 1024;  // elements of one array object (CREATE array)
  std::chrono::seconds idle_timeout{0};     // 0 = never
  std::chrono::seconds auth_timeout{10};    // keyed server: authenticate within it; 0 = never
  int tcp_keepalive = 15;                   // seconds idle before probes; 0 = off
  TlsConfig tls;
  std::string loglevel = "notice";
  // Persistence (docs/persistence.md): off unless --appendonly yes.
  std::string dir = ".";  // where the log files live
  bool appendonly = false;
  std::string appendfsync = "everysec";    // always | everysec | no
  std::optional<std::string> private_dir;  // --private-dir: removed at exit (Managers)
  std::optional<std::string> gen_authkey;  // --gen-authkey FILE: write a key there, exit
  bool help = false;
  bool version = false;
};

// Parses argv; throws std::invalid_argument with a clear message on a bad flag.
Config parse_config(int argc, char** argv);
std::string config_help();
// "123", "64k", "512mb", "1g": a byte size; throws std::invalid_argument
// naming `flag` when `text` is not one.
std::size_t parse_size(std::string_view flag, std::string_view text);
// Sets one TLS setting by its flag/CONFIG name ("tls-cert-file"); returns an
// error message, empty on success. tls-port is not settable here.
std::string set_tls_param(TlsConfig& tls, std::string_view name, std::string_view value);

}  // namespace procshare::server

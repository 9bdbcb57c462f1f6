// procshare-server's command line (PROTOCOL.md §1 and the limits of §2).
#include "procshare/server/config.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "procshare/protocol/handshake.hpp"
#include "procshare/server/log.hpp"

#include <sys/stat.h>

namespace procshare::server {

namespace {

[[noreturn]] void bad(const std::string& msg) {
  throw std::invalid_argument(msg);
}

}  // namespace

std::size_t parse_size(std::string_view flag, std::string_view text) {
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p == text.data()) {
    bad(fmt::format("{} wants a size (like 1024, 64k, 512mb), not '{}'", flag, text));
  }
  std::string_view unit(p, static_cast<std::size_t>(text.data() + text.size() - p));
  std::size_t mult = 1;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k" || unit == "kb")
    mult = 1024;
  else if (unit == "m" || unit == "mb")
    mult = 1024 * 1024;
  else if (unit == "g" || unit == "gb")
    mult = 1024 * 1024 * 1024;
  else
    bad(fmt::format("{}: unknown size unit '{}'", flag, unit));
  if (v > static_cast<std::size_t>(-1) / mult)
    bad(fmt::format("{}: '{}' is too large", flag, text));
  return v * mult;
}

namespace {

long parse_number(std::string_view flag, std::string_view text, long lo, long hi) {
  long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < lo || v > hi) {
    bad(fmt::format("{} wants a whole number from {} to {}, not '{}'", flag, lo, hi, text));
  }
  return v;
}

std::string read_authkey_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    bad(fmt::format("--authkey-file {}: {}", path, std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) bad(fmt::format("--authkey-file {}: not a regular file", path));
  // Like ssh with private keys: a key others can read is no secret.
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    bad(
        fmt::format("--authkey-file {}: permissions {:o} are too open; the key must be readable "
                    "by its owner only (chmod 600 {})",
                    path, st.st_mode & 0777, path));
  }
  std::string error;
  auto key = protocol::auth::read_key_file(path, &error);
  if (!key) bad(fmt::format("--authkey-file {}: {}", path, error));
  if (auto problem = protocol::auth::key_problem(*key, "--authkey-file " + path); !problem.empty())
    bad(problem);
  return *key;
}

}  // namespace

std::string set_tls_param(TlsConfig& tls, std::string_view name, std::string_view value) {
  std::string v(value);
  if (name == "tls-bind") {
    tls.bind = v;
  } else if (name == "tls-cert-file") {
    tls.cert_file = v;
  } else if (name == "tls-key-file") {
    tls.key_file = v;
  } else if (name == "tls-ca-cert-file") {
    tls.ca_cert_file = v;
  } else if (name == "tls-ca-cert-dir") {
    tls.ca_cert_dir = v;
  } else if (name == "tls-auth-clients") {
    if (v != "yes" && v != "no" && v != "optional") {
      return fmt::format("tls-auth-clients wants yes, no or optional, not '{}'", v);
    }
    tls.auth_clients = v;
  } else if (name == "tls-protocols") {
    tls.protocols = v;
  } else if (name == "tls-ciphers") {
    tls.ciphers = v;
  } else if (name == "tls-ciphersuites") {
    tls.ciphersuites = v;
  } else {
    return fmt::format("unknown TLS setting '{}'", name);
  }
  return {};
}

std::string config_help() {
  return R"(Usage: procshare-server [OPTIONS]

Serves shared objects (dict, list, queue, lock, ...) to processes over a
Redis-like protocol (RESP2/RESP3 and inline commands).

Listening:
  --unix PATH             Unix socket path (default /tmp/procshare.sock, mode 0600)
  --no-unix               do not listen on a Unix socket
  --tcp HOST:PORT         also listen on TCP (repeatable; off by default; port 0 = any
                          free one). Without an authkey only a loopback address is
                          allowed, and every local user can then connect
  --no-tcp                do not listen on TCP (the default; cancels --tcp)
  --tcp-keepalive SECS    idle seconds before keepalive probes (default 15; 0 = off)

Security:
  --authkey-file FILE     the authkey: the file's contents less one trailing newline;
                          the file must not be readable by group or others.
                          The environment variable PROCSHARE_AUTHKEY works too (set
                          but empty is an error). A key has at least 16 bytes.
                          Without a key the server accepts only Unix and loopback
                          clients (protected mode).
  --gen-authkey FILE      write a fresh random key (64 hex characters) to FILE,
                          mode 0600, and exit; an existing FILE is left alone

Limits:
  --maxclients N          connections served at once (default 10000)
  --max-objects N         objects held at once (default 0 = unlimited)
  --maxmemory SZ          memory the server may use (default 0 = no limit); past it,
                          commands that grow memory get -OOM (Redis's noeviction)
                          while reads, deletes and waits go on
  --max-array-len N       most elements of one array object (default 1048576)
  --max-output-buffer SZ  unread replies one client may have queued, beyond the
                          largest one, before it is disconnected (default 256mb;
                          0 = no limit): one reply of any size is always delivered
  --max-pending-input SZ  bytes of partly received requests held for all clients
                          together (default 1gb; 0 = no limit); a client whose
                          request would take it past gets -LIMIT and is closed,
                          unless it is the only one holding any
  --max-bulk SZ           largest bulk string (default 512mb)
  --max-array N           most elements in one request (default 1048576)
  --max-inline SZ         longest inline command line (default 64k)
  --preauth-max-request SZ
                          largest request before authentication on a keyed server
                          (default 16k)
  --preauth-max-array N   most elements in a request before authentication (default 10)
  --idle-timeout SECS     close clients idle this long (default 0 = never)
  --auth-timeout SECS     keyed server: close clients not authenticated this long after
                          connecting (default 10; 0 = never)

TLS (docs/tls.md):
  --tls-port PORT         also listen with TLS on this port (0 = any free port)
  --tls-bind ADDR         the TLS listener's address (default 127.0.0.1)
  --tls-cert-file FILE    the server's certificate chain (PEM)
  --tls-key-file FILE     its private key (PEM; not readable by others: chmod 600)
  --tls-ca-cert-file FILE CA certificates that sign client certificates (PEM)
  --tls-ca-cert-dir DIR   the same, as an OpenSSL hashed directory
  --tls-auth-clients yes|no|optional
                          require client certificates (default yes); a verified
                          client certificate stands in for the authkey
  --tls-protocols LIST    e.g. "TLSv1.2 TLSv1.3" (the default)
  --tls-ciphers LIST      TLS 1.2 cipher list (OpenSSL syntax)
  --tls-ciphersuites LIST TLS 1.3 cipher suites (OpenSSL syntax)
  SIGHUP or CONFIG SET tls-... re-reads the certificates and keys; connections
  stay up.

Persistence (docs/persistence.md):
  --appendonly yes|no     keep objects across restarts in an append-only log
                          (default no: everything is in memory only)
  --dir DIR               where the log files are kept (default: the current directory)
  --appendfsync always|everysec|no
                          when the log reaches the disk: before every reply, once
                          a second (the default), or when the OS decides

Other:
  --loglevel LEVEL        debug, verbose, notice (default) or warning
  --private-dir DIR       a directory made for this server alone (by a Manager): at
                          exit the server removes its procshare.sock, authkey and
                          server.log, then DIR itself if empty, even when the
                          Manager's process was killed
  --help                  this text
  --version               the version
)";
}

Config parse_config(int argc, char** argv) {
  Config c;
  std::vector<std::string> tcp;
  bool no_unix = false;
  auto value = [&](int& i, std::string_view flag) -> std::string_view {
    if (i + 1 >= argc) bad(fmt::format("{} needs a value (see --help)", flag));
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      c.help = true;
    } else if (a == "--version" || a == "-v") {
      c.version = true;
    } else if (a == "--unix") {
      c.unix_path = std::string(value(i, a));
    } else if (a == "--no-unix") {
      no_unix = true;
    } else if (a == "--tcp") {
      tcp.emplace_back(value(i, a));
    } else if (a == "--no-tcp") {
      c.no_tcp = true;
    } else if (a == "--tcp-keepalive") {
      c.tcp_keepalive = static_cast<int>(parse_number(a, value(i, a), 0, 7200));
    } else if (a == "--private-dir") {
      c.private_dir = std::string(value(i, a));
    } else if (a == "--gen-authkey") {
      c.gen_authkey = std::string(value(i, a));
    } else if (a == "--authkey-file") {
      c.authkey = read_authkey_file(std::string(value(i, a)));
    } else if (a == "--maxclients") {
      c.maxclients = static_cast<std::size_t>(parse_number(a, value(i, a), 1, 1000000));
    } else if (a == "--max-objects") {
      c.max_objects = static_cast<std::size_t>(parse_number(a, value(i, a), 0, 1L << 40));
    } else if (a == "--maxmemory") {
      c.maxmemory = parse_size(a, value(i, a));
    } else if (a == "--max-array-len") {
      c.max_array_len = static_cast<std::size_t>(parse_number(a, value(i, a), 1, 1L << 40));
    } else if (a == "--max-output-buffer") {
      c.max_output_buffer = parse_size(a, value(i, a));
    } else if (a == "--max-pending-input") {
      c.max_pending_input = parse_size(a, value(i, a));
    } else if (a == "--max-bulk") {
      c.limits.max_bulk = parse_size(a, value(i, a));
    } else if (a == "--max-array") {
      c.limits.max_array = static_cast<std::size_t>(parse_number(a, value(i, a), 1, 1L << 31));
    } else if (a == "--max-inline") {
      c.limits.max_inline = parse_size(a, value(i, a));
    } else if (a == "--preauth-max-request") {
      c.preauth_limits.max_request = parse_size(a, value(i, a));
      c.preauth_limits.max_bulk = c.preauth_limits.max_inline = c.preauth_limits.max_request;
    } else if (a == "--preauth-max-array") {
      c.preauth_limits.max_array =
          static_cast<std::size_t>(parse_number(a, value(i, a), 1, 1L << 31));
    } else if (a == "--auth-timeout") {
      c.auth_timeout = std::chrono::seconds(parse_number(a, value(i, a), 0, 1L << 31));
    } else if (a == "--idle-timeout") {
      c.idle_timeout = std::chrono::seconds(parse_number(a, value(i, a), 0, 1L << 31));
    } else if (a == "--tls-port") {
      c.tls.port = static_cast<int>(parse_number(a, value(i, a), 0, 65535));
    } else if (a.starts_with("--tls-")) {
      std::string name(a.substr(2));
      std::string error = set_tls_param(c.tls, name, value(i, a));
      if (!error.empty()) bad(error);
    } else if (a == "--dir") {
      c.dir = std::string(value(i, a));
      if (c.dir.empty()) bad("--dir needs a directory");
    } else if (a == "--appendonly") {
      std::string_view v = value(i, a);
      if (v != "yes" && v != "no") bad(fmt::format("--appendonly wants yes or no, not '{}'", v));
      c.appendonly = v == "yes";
    } else if (a == "--appendfsync") {
      std::string_view v = value(i, a);
      if (v != "always" && v != "everysec" && v != "no") {
        bad(fmt::format("--appendfsync wants always, everysec or no, not '{}'", v));
      }
      c.appendfsync = std::string(v);
    } else if (a == "--loglevel") {
      log::Level level;
      std::string_view v = value(i, a);
      if (!log::parse_level(v, &level)) {
        bad(fmt::format("--loglevel wants debug, verbose, notice or warning, not '{}'", v));
      }
      c.loglevel = std::string(v);
    } else {
      bad(fmt::format("unknown option '{}' (see --help)", a));
    }
  }
  if (c.gen_authkey || c.help || c.version) return c;  // nothing else is looked at
  if (no_unix) c.unix_path.reset();
  // Closed by default (issue 12): the Unix socket, mode 0600, serves its
  // owner; TCP, which every local user can reach, only when asked for.
  if (!c.no_tcp) c.tcp = tcp;
  if (!c.authkey) {
    // Set but empty is a mistake (a variable expanded to nothing), not "no key".
    if (const char* env = std::getenv("PROCSHARE_AUTHKEY")) {
      if (auto problem = protocol::auth::key_problem(env, "PROCSHARE_AUTHKEY"); !problem.empty())
        bad(problem);
      c.authkey = env;
    }
  }
  if (!c.unix_path && c.tcp.empty() && !c.tls.enabled()) {
    bad("nothing to listen on: both --no-unix and --no-tcp given");
  }
  if (c.tls.enabled() && (c.tls.cert_file.empty() || c.tls.key_file.empty())) {
    bad("--tls-port needs --tls-cert-file and --tls-key-file");
  }
  if (c.tls.enabled() && c.tls.auth_clients != "no" && c.tls.ca_cert_file.empty() &&
      c.tls.ca_cert_dir.empty()) {
    bad("--tls-auth-clients " + c.tls.auth_clients +
        " needs --tls-ca-cert-file or --tls-ca-cert-dir to verify client certificates "
        "(or --tls-auth-clients no)");
  }
  return c;
}

}  // namespace procshare::server

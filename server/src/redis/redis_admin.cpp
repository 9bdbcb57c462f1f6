// Server commands that Redis tools send: SELECT, CONFIG GET (what redis-cli
// and redis-benchmark ask for at start), CONFIG SET (of the tls-* settings
// only, which reload the certificates; the rest is configured by flags),
// DBSIZE, FLUSHALL / FLUSHDB, TIME. procshare has one keyspace, so it is
// database 0 and there is no other.
// (PING, ECHO, HELLO, AUTH, CLIENT, INFO, COMMAND are procshare's own:
// server_commands.cpp, auth_commands.cpp.)
#include <fmt/format.h>

#include <chrono>
#include <stdexcept>
#include <utility>
#include <vector>

#include "procshare/server/text.hpp"
#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

void cmd_select(Ctx& c) {
  if (int_arg(c.arg(1)) != 0) fail(ErrorCode::err, "DB index is out of range");
  c.out.ok();
}

// The parameters CONFIG GET knows, with procshare's actual values where it
// has one. The authkey is never reported.
std::vector<std::pair<std::string, std::string>> config_params(Engine& e) {
  const Config& cfg = e.config();
  std::string port = "0";
  std::int64_t tls_port = 0;
  if (e.server_info) {
    Fields f;
    e.server_info(f);
    for (const auto& [k, v] : f.items()) {
      if (k == "tcp_port" && std::holds_alternative<std::int64_t>(v)) {
        port = std::to_string(std::get<std::int64_t>(v));
      }
      if (k == "tls_port" && std::holds_alternative<std::int64_t>(v)) {
        tls_port = std::get<std::int64_t>(v);
      }
    }
  }
  return {
      {"appendonly", "no"},
      {"appendfsync", "no"},
      {"bind", "127.0.0.1"},
      {"cluster-enabled", "no"},
      {"databases", "1"},
      {"io-threads", "1"},
      {"loglevel", cfg.loglevel},
      {"maxclients", std::to_string(cfg.maxclients)},
      {"maxmemory", std::to_string(cfg.maxmemory)},
      {"maxmemory-policy", "noeviction"},
      {"port", port},
      {"proto-max-bulk-len", std::to_string(cfg.limits.max_bulk)},
      {"protected-mode", cfg.authkey ? "no" : "yes"},
      {"save", ""},
      {"tcp-keepalive", std::to_string(cfg.tcp_keepalive)},
      {"timeout", std::to_string(cfg.idle_timeout.count())},
      {"unixsocket", cfg.unix_path.value_or("")},
      {"tls-port", std::to_string(tls_port)},
      {"tls-bind", cfg.tls.bind},
      {"tls-cert-file", cfg.tls.cert_file},
      {"tls-key-file", cfg.tls.key_file},
      {"tls-ca-cert-file", cfg.tls.ca_cert_file},
      {"tls-ca-cert-dir", cfg.tls.ca_cert_dir},
      {"tls-auth-clients", cfg.tls.auth_clients},
      {"tls-protocols", cfg.tls.protocols},
      {"tls-ciphers", cfg.tls.ciphers},
      {"tls-ciphersuites", cfg.tls.ciphersuites},
  };
}

// CONFIG SET's settable names: the TLS files and policy (not tls-port or tls-bind).
bool all_tls_params(Ctx& c) {
  for (std::size_t i = 2; i < c.argc(); i += 2) {
    std::string name = text::lower_case(c.arg(i));
    if (!name.starts_with("tls-") || name == "tls-port" || name == "tls-bind") return false;
  }
  return true;
}

void cmd_config(Ctx& c) {
  std::string_view sub = c.arg(1);
  if (keyword_is(sub, "GET") && c.argc() >= 3) {
    std::vector<std::pair<std::string, std::string>> found;
    for (auto& param : config_params(c.engine)) {
      for (std::size_t i = 2; i < c.argc(); ++i) {
        if (glob_match(c.arg(i), param.first, /*nocase=*/true)) {
          found.push_back(std::move(param));
          break;
        }
      }
    }
    c.out.map(found.size());
    for (const auto& [k, v] : found) {
      c.out.bulk(k);
      c.out.bulk(v);
    }
  } else if (keyword_is(sub, "SET") && c.argc() == 4 && keyword_is(c.arg(2), "MAXMEMORY")) {
    // The one limit worth changing on a running server, as in Redis (0: none).
    std::size_t bytes = 0;
    try {
      bytes = parse_size("maxmemory", c.arg(3));
    } catch (const std::invalid_argument& e) {
      fail(ErrorCode::err, fmt::format("CONFIG SET failed: {}", e.what()));
    }
    c.engine.config().maxmemory = bytes;
    c.out.ok();
  } else if (keyword_is(sub, "SET") && c.argc() >= 4 && c.argc() % 2 == 0 && c.engine.config_set &&
             all_tls_params(c)) {
    // CONFIG SET tls-cert-file … [tls-key-file …]: every pair at once, so a
    // certificate and its key change together; the TLS context is rebuilt
    // and nothing changes if it cannot be.
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 2; i + 1 < c.argc(); i += 2) {
      pairs.emplace_back(text::lower_case(c.arg(i)), std::string(c.arg(i + 1)));
    }
    try {
      c.engine.config_set(pairs);
    } catch (const std::exception& e) {
      fail(ErrorCode::err, fmt::format("CONFIG SET failed: {}", e.what()));
    }
    c.out.ok();
  } else if (keyword_is(sub, "SET") || keyword_is(sub, "REWRITE") || keyword_is(sub, "RESETSTAT")) {
    fail(ErrorCode::err, fmt::format("CONFIG {} is not supported: procshare is configured by its "
                                     "command-line flags",
                                     sub));
  } else {
    fail(ErrorCode::err,
         fmt::format("unknown subcommand or wrong number of arguments for 'CONFIG|{}'", sub));
  }
}

void cmd_dbsize(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(c.engine.objects().size()));
}

// Deletes every object; clients waiting on any of them get -NOTFOUND.
void cmd_flushall(Ctx& c) {
  if (c.argc() > 2) syntax_error();
  if (c.argc() == 2 && !keyword_is(c.arg(1), "ASYNC") && !keyword_is(c.arg(1), "SYNC")) {
    syntax_error();
  }
  c.engine.delete_all();
  c.out.ok();
}

void cmd_time(Ctx& c) {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  c.out.array(2);
  c.out.bulk(std::to_string(us / 1'000'000));
  c.out.bulk(std::to_string(us % 1'000'000));
}

}  // namespace

void register_admin_commands(Engine& e) {
  using namespace flag;
  e.register_command(spec("SELECT", 2, fast, cmd_select,
                          "Redis SELECT: procshare has one keyspace, database 0", "index"));
  e.register_command(
      spec("CONFIG", -2, admin, cmd_config,
           "Redis CONFIG GET of the settings Redis tools ask for; SET of tls-* only",
           "GET parameter [parameter ...] | SET tls-param value [tls-param value ...]"));
  e.register_command(
      spec("DBSIZE", 1, readonly | fast, cmd_dbsize, "Redis DBSIZE: the number of objects", ""));
  e.register_command(spec("FLUSHALL", -1, write | admin, cmd_flushall,
                          "Delete every object; their waiters get NOTFOUND", "[ASYNC|SYNC]"));
  e.register_command(spec("FLUSHDB", -1, write | admin, cmd_flushall,
                          "Delete every object; their waiters get NOTFOUND", "[ASYNC|SYNC]"));
  e.register_command(
      spec("TIME", 1, readonly | fast, cmd_time, "Redis TIME: unix seconds and microseconds", ""));
}

}  // namespace procshare::server::redis

// PROTOCOL.md §7: connection and server commands (PING ECHO QUIT HELLO CLIENT
// INFO SHUTDOWN COMMAND).
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/auth.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/memory.hpp"
#include "procshare/server/persistence.hpp"
#include "procshare/server/text.hpp"
#include "procshare/server/version.hpp"

namespace procshare::server {

namespace {

void cmd_ping(Ctx& c) {
  if (c.argc() > 2) fail(ErrorCode::err, "wrong number of arguments for 'ping' command");
  if (c.argc() == 2) {
    c.out.bulk(c.arg(1));
  } else {
    c.out.simple("PONG");
  }
}

void cmd_echo(Ctx& c) {
  c.out.bulk(c.arg(1));
}

void cmd_quit(Ctx& c) {
  c.out.ok();
  c.session.close_after_reply = true;
}

void hello_reply(Ctx& c) {
  c.out.map(8);
  c.out.bulk("server");
  c.out.bulk("procshare");
  c.out.bulk("version");
  c.out.bulk(kVersion);
  c.out.bulk("proto");
  c.out.integer(c.session.resp());
  c.out.bulk("id");
  c.out.integer(static_cast<std::int64_t>(c.session.id()));
  c.out.bulk("mode");
  c.out.bulk("standalone");
  c.out.bulk("role");
  c.out.bulk("master");
  c.out.bulk("modules");
  c.out.array(0);
  c.out.bulk("run_id");
  c.out.bulk(c.engine.run_id());
}

void check_client_name(std::string_view name) {
  if (name.find_first_of(" \n\r") != std::string_view::npos) {
    fail(ErrorCode::err, "Client names cannot contain spaces, newlines or special characters.");
  }
}

// Every option is read and checked before any takes effect, so a HELLO that
// fails (a bad word after AUTH, a bad name) neither authenticates nor renames.
void cmd_hello(Ctx& c) {
  ArgReader r(c.args, 1);
  int proto = c.session.resp();
  if (r.more()) {
    std::int64_t v = r.next_int(ErrorCode::err);
    if (!r.failed() && v != 2 && v != 3)
      r.error(ErrorCode::noproto, "unsupported protocol version");
    proto = static_cast<int>(v);
  }
  std::optional<std::pair<std::string_view, std::string_view>> credentials;
  std::optional<std::string_view> setname;
  while (r.more()) {
    if (r.accept("AUTH")) {
      std::string_view user = r.next();
      credentials.emplace(user, r.next());
    } else if (r.accept("SETNAME")) {
      setname = r.next();
    } else {
      std::string_view word = r.next();
      r.error(ErrorCode::err,
              fmt::format("syntax error in HELLO option '{}'", text::printable(word)));
    }
  }
  r.finish();
  if (setname) check_client_name(*setname);
  if (credentials) {
    // false: this source waits its turn (AuthThrottle); HELLO runs again then.
    if (!authenticate_plain(c, credentials->first, credentials->second)) return;
  }
  // PROTOCOL.md §4 lets HELLO through before authentication: it switches the
  // protocol and replies its map (which says nothing secret), so a client can
  // pick RESP3 first and authenticate after. Only SETNAME waits for the key.
  if (setname && c.engine.requires_auth(c.session)) {
    fail(ErrorCode::noauth, "HELLO SETNAME needs an authenticated connection");
  }
  if (setname) c.session.name = std::string(*setname);
  c.out.set_resp(proto);
  hello_reply(c);
}

std::string age_text(Clock::time_point since) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - since).count());
}

std::string client_line(const Session& s) {
  std::string line =
      fmt::format("id={} addr={} name={} age={} idle={} resp={} cmd={} cmds={} qbuf={} omem={}",
                  s.id(), s.peer(), s.name, age_text(s.created), age_text(s.last_active), s.resp(),
                  s.last_command.empty() ? "NULL" : s.last_command, s.commands, s.input_buffered,
                  s.output.size());
  if (s.heartbeat.count() > 0) line += fmt::format(" heartbeat={}", s.heartbeat.count() / 1000.0);
  if (const Waiter* w = s.waiter()) {
    auto waited = std::chrono::duration<double>(Clock::now() - w->since).count();
    std::string what = w->what;
    std::replace(what.begin(), what.end(), ' ', ':');
    line += fmt::format(" blocked={} waited={:.3f}", what, waited);
  }
  return line;
}

void cmd_client(Ctx& c) {
  std::string_view sub = c.arg(1);
  Session& s = c.session;
  if (keyword_is(sub, "ID") && c.argc() == 2) {
    c.out.integer(static_cast<std::int64_t>(s.id()));
  } else if (keyword_is(sub, "SETNAME") && c.argc() == 3) {
    check_client_name(c.arg(2));
    s.name = std::string(c.arg(2));
    c.out.ok();
  } else if (keyword_is(sub, "GETNAME") && c.argc() == 2) {
    if (s.name.empty()) {
      c.out.null();
    } else {
      c.out.bulk(s.name);
    }
  } else if (keyword_is(sub, "LIST")) {
    // CLIENT LIST [ID id ...], as Redis 6.2+.
    std::vector<ClientId> only;
    if (c.argc() > 2) {
      ArgReader r(c.args, 2);
      if (!r.accept("ID")) r.error(ErrorCode::err, "syntax error");
      if (!r.more()) r.error(ErrorCode::err, "syntax error");
      while (r.more()) only.push_back(static_cast<ClientId>(r.next_int(ErrorCode::err)));
      r.finish();
    }
    std::vector<const Session*> all;
    for (const auto& [id, other] : c.engine.sessions()) {
      if (only.empty() || std::find(only.begin(), only.end(), id) != only.end()) {
        all.push_back(other.get());
      }
    }
    std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->id() < b->id(); });
    std::string text;
    for (const Session* o : all) text += client_line(*o) + "\n";
    c.out.verbatim(text);
  } else if (keyword_is(sub, "KILL") && c.argc() == 4 && keyword_is(c.arg(2), "ID")) {
    auto id = static_cast<ClientId>(parse_int(c.arg(3), ErrorCode::err));
    Session* victim = c.engine.find_session(id);
    if (!victim) {  // the new-style form counts the clients killed, as Redis 7
      c.out.integer(0);
      return;
    }
    if (victim == &s) {
      s.close_after_reply = true;
    } else if (victim->on_kill) {
      victim->on_kill();
    }
    c.out.integer(1);
  } else if (keyword_is(sub, "HEARTBEAT") && c.argc() == 3) {
    // A connection that then sends nothing for this long is treated as dead
    // (closed: its locks, permits and leased items go back), even while its
    // TCP connection looks alive. 0 turns it off.
    ArgReader r(c.args, 2);
    auto every = r.next_seconds("HEARTBEAT", /*allow_zero=*/true);
    r.finish();
    s.heartbeat = std::chrono::ceil<std::chrono::milliseconds>(every);
    c.out.ok();
  } else if (keyword_is(sub, "SETINFO") && c.argc() == 4) {
    c.out.ok();  // redis-py and others send lib-name / lib-ver
  } else if (keyword_is(sub, "INFO") && c.argc() == 2) {
    c.out.verbatim(client_line(s) + "\n");
  } else {
    fail(ErrorCode::err,
         fmt::format("unknown subcommand or wrong number of arguments for 'CLIENT|{}'", sub));
  }
}

std::size_t rss_bytes() {
  long pages = 0, resident = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}

void section(std::string& text, std::string_view title, const Fields& f) {
  if (!text.empty()) text += "\r\n";
  text += fmt::format("# {}\r\n", title);
  for (const auto& [k, v] : f.items()) {
    text += k;
    text += ':';
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, Null>) {
          } else if constexpr (std::is_same_v<T, bool>) {
            text += x ? "1" : "0";
          } else if constexpr (std::is_same_v<T, double>) {
            text += fmt::format("{:.2f}", x);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            text += std::to_string(x);
          } else {
            text += x;
          }
        },
        v);
    text += "\r\n";
  }
}

void cmd_info(Ctx& c) {
  Engine& e = c.engine;
  std::string want = c.argc() > 1 ? lower_case(c.arg(1)) : "all";
  auto wanted = [&](std::string_view s) {
    return want == "all" || want == "default" || want == "everything" || want == s;
  };
  std::string text;
  if (wanted("server")) {
    Fields f;
    f.add("redis_version", "7.0.0");  // what Redis tools look for
    f.add("procshare_version", kVersion);
    f.add("redis_mode", "standalone");
    f.add("process_id", FieldValue(static_cast<std::int64_t>(getpid())));
    f.add("run_id", e.run_id());
    auto up = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - e.started());
    f.add("uptime_in_seconds", FieldValue(static_cast<std::int64_t>(up.count())));
    f.add("authkey", e.config().authkey ? "yes" : "no");
    if (e.server_info) e.server_info(f);
    section(text, "Server", f);
  }
  // Parked clients: a walk of the connections (bounded by maxclients), never
  // of the objects.
  std::size_t blocked = 0;
  if (wanted("clients") || wanted("objects")) {
    for (const auto& [id, s] : e.sessions()) blocked += s->parked() ? 1 : 0;
  }
  if (wanted("clients")) {
    Fields f;
    f.add("connected_clients", e.sessions().size());
    f.add("blocked_clients", blocked);
    f.add("maxclients", e.config().maxclients);
    section(text, "Clients", f);
  }
  if (wanted("memory")) {
    Fields f;
    f.add("used_memory", memory::used());
    f.add("used_memory_rss", rss_bytes());
    f.add("maxmemory", e.config().maxmemory);
    f.add("maxmemory_policy", "noeviction");
    f.add("pending_input", e.stats().pending_input);
    section(text, "Memory", f);
  }
  if (wanted("persistence")) {
    Fields f;
    if (Persistence* p = e.persistence()) {
      p->info(f);
    } else {
      f.add("loading", FieldValue(std::int64_t{0}));
      f.add("aof_enabled", FieldValue(std::int64_t{0}));
      f.add("rdb_bgsave_in_progress", FieldValue(std::int64_t{0}));
      f.add("aof_rewrite_in_progress", FieldValue(std::int64_t{0}));
      f.add("rdb_last_save_time", FieldValue(std::int64_t{0}));
    }
    section(text, "Persistence", f);
  }
  if (wanted("stats")) {
    Fields f;
    const Stats& st = e.stats();
    auto add = [&](const char* k, std::uint64_t v) {
      f.add(k, FieldValue(static_cast<std::int64_t>(v)));
    };
    add("total_connections_received", st.connections_received);
    add("total_commands_processed", st.commands_processed);
    add("rejected_connections", st.rejected_connections);
    add("protocol_errors", st.protocol_errors);
    add("auth_failures", st.auth_failures);
    add("output_buffer_disconnects", st.output_buffer_disconnects);
    add("idle_disconnects", st.idle_disconnects);
    add("heartbeat_disconnects", st.heartbeat_disconnects);
    add("preauth_limit_refusals", st.preauth_limit_refusals);
    add("abandoned_locks", st.abandoned_locks);
    add("tls_handshake_failures", st.tls_handshake_failures);
    add("auth_timeouts", st.auth_timeouts);
    add("preauth_refusals", st.preauth_refusals);
    add("pending_input_refusals", st.pending_input_refusals);
    add("auth_throttled_sources", e.auth_throttle().size());
    add("wait_timeouts", st.timeouts);
    section(text, "Stats", f);
  }
  if (wanted("objects")) {
    // Counts the registry keeps as objects come and go: O(types), not O(objects).
    Fields f;
    f.add("objects", e.objects().size());
    f.add("waiters", blocked);
    for (const auto& [type, n] : e.objects().counts_by_type())
      f.add("type_" + std::string(type), n);
    section(text, "Objects", f);
  }
  if (wanted("keyspace")) {
    Fields f;
    if (e.objects().size()) {
      f.add("db0", fmt::format("keys={},expires=0,avg_ttl=0", e.objects().size()));
    }
    section(text, "Keyspace", f);
  }
  c.out.verbatim(text);
}

void cmd_shutdown(Ctx& c) {
  if (c.engine.on_shutdown) {
    c.engine.on_shutdown();
    c.out.ok();  // usually never read: the connection closes
  } else {
    fail(ErrorCode::err, "SHUTDOWN is not available here");
  }
}

// COMMAND DOCS: enough for redis-cli's hints and procshare-cli's completion.
void write_docs(Ctx& c, const CommandSpec& spec) {
  std::string lower = lower_case(spec.name);
  c.out.bulk(lower);
  c.out.map(4);
  c.out.bulk("summary");
  c.out.bulk(spec.summary);
  c.out.bulk("since");
  c.out.bulk("0.1.0");
  c.out.bulk("group");
  c.out.bulk(spec.types.empty() ? "server" : spec.types.front());
  c.out.bulk("arguments");
  std::vector<std::string_view> words;
  std::string_view a = spec.args;
  while (!a.empty()) {
    auto sp = a.find(' ');
    words.push_back(a.substr(0, sp));
    if (sp == std::string_view::npos) break;
    a.remove_prefix(sp + 1);
  }
  c.out.array(words.size());
  for (auto w : words) {
    c.out.map(2);
    c.out.bulk("name");
    c.out.bulk(w);
    c.out.bulk("type");
    c.out.bulk("string");
  }
}

void write_info(Ctx& c, const CommandSpec& spec) {
  std::string lower = lower_case(spec.name);
  c.out.array(10);
  c.out.bulk(lower);
  c.out.integer(spec.arity);
  std::vector<std::string_view> flags;
  if (spec.flags & flag::write) flags.push_back("write");
  if (spec.flags & flag::readonly) flags.push_back("readonly");
  if (spec.flags & flag::blocking) flags.push_back("blocking");
  if (spec.flags & flag::noauth) flags.push_back("no_auth");
  if (spec.flags & flag::admin) flags.push_back("admin");
  if (spec.flags & flag::fast) flags.push_back("fast");
  if (spec.flags & flag::grows) flags.push_back("denyoom");
  c.out.set(flags.size());
  for (auto f : flags) c.out.simple(f);
  bool keyed = !spec.types.empty();
  c.out.integer(keyed ? 1 : 0);
  c.out.integer(keyed ? 1 : 0);
  c.out.integer(keyed ? 1 : 0);
  c.out.set(0);
  c.out.set(0);
  c.out.array(0);
  c.out.array(0);
}

void cmd_command(Ctx& c) {
  // The log's own commands (flag::internal) are not for clients: not listed.
  std::vector<const CommandSpec*> all;
  for (const auto& [name, spec] : c.engine.commands()) {
    if (!(spec->flags & flag::internal)) all.push_back(spec.get());
  }
  if (c.argc() == 1) {
    c.out.array(all.size());
    for (const CommandSpec* spec : all) write_info(c, *spec);
    return;
  }
  std::string_view sub = c.arg(1);
  if (keyword_is(sub, "COUNT")) {
    c.out.integer(static_cast<std::int64_t>(all.size()));
  } else if (keyword_is(sub, "DOCS") || keyword_is(sub, "INFO")) {
    bool docs = keyword_is(sub, "DOCS");
    std::vector<const CommandSpec*> specs;
    if (c.argc() == 2) {
      specs = all;
    } else {
      for (std::size_t i = 2; i < c.argc(); ++i) {
        const CommandSpec* s = c.engine.find_command(c.arg(i));
        if (s && (s->flags & flag::internal)) s = nullptr;
        if (s || !docs) specs.push_back(s);
      }
    }
    if (docs) {
      c.out.map(specs.size());
      for (auto* s : specs) write_docs(c, *s);
    } else {
      c.out.array(specs.size());
      for (auto* s : specs) {
        if (s) {
          write_info(c, *s);
        } else {
          c.out.null_array();
        }
      }
    }
  } else {
    fail(ErrorCode::err,
         fmt::format("unknown subcommand or wrong number of arguments for 'COMMAND|{}'", sub));
  }
}

}  // namespace

void register_server_commands(Engine& e) {
  using namespace flag;
  e.register_command(
      {"PING", -1, noauth | fast, cmd_ping, "Answer PONG, or the message", "[message]"});
  e.register_command({"ECHO", 2, fast, cmd_echo, "Answer the message", "message"});
  e.register_command({"QUIT", -1, noauth | fast, cmd_quit, "Close the connection", ""});
  e.register_command({"HELLO", -1, noauth | fast, cmd_hello,
                      "Switch RESP version, authenticate, name the connection",
                      "[protover [AUTH username password] [SETNAME name]]"});
  e.register_command({"CLIENT", -2, admin, cmd_client,
                      "Connection commands: ID SETNAME GETNAME LIST KILL INFO HEARTBEAT",
                      "subcommand [arg ...]"});
  e.register_command({"INFO", -1, readonly, cmd_info,
                      "Server state: server clients memory stats objects keyspace", "[section]"});
  e.register_command({"SHUTDOWN", -1, admin, cmd_shutdown,
                      "Stop the server: waiters get an error, the socket file is removed",
                      "[NOSAVE|SAVE]"});
  e.register_command({"COMMAND", -1, readonly, cmd_command,
                      "Describe commands: COUNT, DOCS [name ...], INFO [name ...]",
                      "[subcommand [name ...]]"});
}

}  // namespace procshare::server

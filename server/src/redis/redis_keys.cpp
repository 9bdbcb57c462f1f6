// Redis keyspace commands: KEYS SCAN RENAME RENAMENX UNLINK and the expiry
// family. DEL, EXISTS and TYPE are procshare's own (object_commands.cpp);
// TYPE answers procshare's type names (value, dict, list, set, ...).
//
// SCAN's cursor is a position in a fixed order of all possible names (a
// 63-bit hash of the name), not in a table that rehashes: a call returns the
// next COUNT names whose hash is >= the cursor and the cursor just after the
// last one. So a name present for the whole scan is returned exactly once,
// however the keyspace changes meanwhile, and the cursor is a plain integer
// as Redis clients expect. The registry keeps the names in that order, so a
// call costs O(log n + COUNT), like Redis's, whatever the keyspace size.
//
// procshare keys never expire: EXPIRE and friends reply -ERR, TTL -1.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <vector>

#include "procshare/server/name_walk.hpp"
#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

// A Redis type word for SCAN ... TYPE: Redis's names map to procshare's.
std::string_view procshare_type(std::string_view word) {
  if (keyword_is(word, "STRING")) return kString;
  if (keyword_is(word, "HASH")) return kHash;
  if (keyword_is(word, "LIST")) return kList;
  if (keyword_is(word, "SET")) return kSet;
  return word;
}

void cmd_keys(Ctx& c) {
  std::vector<std::string> names;
  if (!walk_names(c, c.arg(1), names)) return;  // runs again on the next turn
  std::sort(names.begin(), names.end());
  c.out.array(names.size());
  for (const auto& n : names) c.out.bulk(n);
}

void cmd_scan(Ctx& c) {
  std::uint64_t cursor = 0;
  {
    std::string_view s = c.arg(1);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), cursor);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size()) {
      fail(ErrorCode::err, "invalid cursor");
    }
  }
  std::optional<std::string_view> match, type;
  std::size_t count = 10;
  for (std::size_t i = 2; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) syntax_error();
    if (keyword_is(c.arg(i), "MATCH")) {
      match = c.arg(i + 1);
    } else if (keyword_is(c.arg(i), "COUNT")) {
      const std::int64_t n = int_arg(c.arg(i + 1));
      if (n < 1) syntax_error();
      count = static_cast<std::size_t>(std::min<std::int64_t>(n, 1'000'000));
    } else if (keyword_is(c.arg(i), "TYPE")) {
      type = procshare_type(c.arg(i + 1));
    } else {
      syntax_error();
    }
  }

  std::vector<std::string_view> page;
  const std::uint64_t next = c.engine.objects().scan(cursor, count, [&](const Object& o) {
    if (match && !glob_match(*match, o.name())) return;
    if (type && o.type_name() != *type) return;
    page.push_back(o.name());
  });
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(page.size());
  for (auto n : page) c.out.bulk(n);
}

// Moves src to dst; the object keeps its waiters and references.
void rename(Ctx& c, bool only_if_free) {
  std::string_view src = c.arg(1);
  std::string_view dst = c.arg(2);
  ObjectRegistry& objects = c.engine.objects();
  if (!objects.find_raw(src)) fail(ErrorCode::err, "no such key");
  if (dst.empty() || dst.size() > 512) fail(ErrorCode::err, "object names are 1 to 512 bytes");
  if (src == dst) {
    if (only_if_free) {
      c.out.integer(0);
    } else {
      c.out.ok();
    }
    return;
  }
  if (objects.find_raw(dst)) {
    if (only_if_free) {
      c.out.integer(0);
      return;
    }
    c.engine.delete_object(dst);  // its waiters get -NOTFOUND, as for DEL
  }
  objects.insert(dst, objects.take(src));
  if (only_if_free) {
    c.out.integer(1);
  } else {
    c.out.ok();
  }
}

void cmd_rename(Ctx& c) {
  rename(c, false);
}
void cmd_renamenx(Ctx& c) {
  rename(c, true);
}

void cmd_unlink(Ctx& c) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < c.argc(); ++i) n += c.engine.delete_object(c.arg(i)) ? 1 : 0;
  c.out.integer(n);
}

void cmd_expire(Ctx& c) {
  fail(ErrorCode::err,
       fmt::format("{} is not supported: procshare keys do not expire", c.command.name));
}

// TTL / PTTL: -2 for a missing key, -1 (no expiry) for any other.
void cmd_ttl(Ctx& c) {
  c.out.integer(c.engine.objects().find_raw(c.arg(1)) ? -1 : -2);
}

void cmd_persist(Ctx& c) {
  c.out.integer(0);  // nothing to persist: no key has an expiry
}

}  // namespace

void register_key_commands(Engine& e) {
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(
        spec(std::move(name), arity, flags, std::move(h), std::move(summary), std::move(args)));
  };
  add("KEYS", 2, readonly, cmd_keys, "Redis KEYS: the names matching a glob, sorted", "pattern");
  add("SCAN", -2, readonly, cmd_scan,
      "Redis SCAN with a cursor that survives changes; TYPE takes Redis or procshare names",
      "cursor [MATCH pattern] [COUNT count] [TYPE type]");
  add("RENAME", 3, write, cmd_rename, "Redis RENAME: the object moves with its waiters",
      "key newkey");
  add("RENAMENX", 3, write, cmd_renamenx, "Redis RENAMENX", "key newkey");
  add("UNLINK", -2, write, cmd_unlink, "Redis UNLINK: the same as DEL", "key [key ...]");
  for (const char* name : {"EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"}) {
    add(name, -3, write, cmd_expire, "Unsupported: procshare keys do not expire",
        "key time [NX|XX|GT|LT]");
  }
  add("TTL", 2, readonly | fast, cmd_ttl, "Redis TTL: -1 (keys do not expire), -2 if missing",
      "key");
  add("PTTL", 2, readonly | fast, cmd_ttl, "Redis PTTL: -1 (keys do not expire), -2 if missing",
      "key");
  add("PERSIST", 2, write | fast, cmd_persist, "Redis PERSIST: always 0 (nothing expires)", "key");
}

}  // namespace procshare::server::redis

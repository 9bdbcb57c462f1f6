// Redis hashes on procshare `dict` objects: HSET HMSET HSETNX HGET HMGET HDEL
// HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT. What HSET
// writes, DICT.GET reads, and the other way round. HGETALL is a map in RESP3
// (a flat array in RESP2), in the dict's insertion order.
#include <cmath>

#include "../types/scalar.hpp"
#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

using DictPtr = std::shared_ptr<DictObject>;

DictPtr find_hash(Ctx& c) {
  return find_as<DictObject>(c, c.arg(1), kHash);
}
DictPtr hash_for_write(Ctx& c) {
  return find_or_create_as<DictObject>(c, c.arg(1), kHash);
}

void cmd_hset(Ctx& c) {
  if (c.argc() % 2 != 0) wrong_arity(c);
  DictPtr d = hash_for_write(c);
  std::int64_t added = 0;
  for (std::size_t i = 2; i < c.argc(); i += 2) added += d->set(c.arg(i), c.arg(i + 1)) ? 1 : 0;
  if (c.command.name == "HMSET") {
    c.out.ok();
  } else {
    c.out.integer(added);
  }
}

void cmd_hsetnx(Ctx& c) {
  DictPtr d = hash_for_write(c);
  if (d->contains(c.arg(2))) {
    c.out.integer(0);
    return;
  }
  d->set(c.arg(2), c.arg(3));
  c.out.integer(1);
}

void cmd_hget(Ctx& c) {
  std::optional<std::string_view> v;
  if (DictPtr d = find_hash(c)) v = d->get(c.arg(2));
  if (v) {
    c.out.bulk(*v);
  } else {
    c.out.null();
  }
}

void cmd_hmget(Ctx& c) {
  DictPtr d = find_hash(c);
  c.out.array(c.argc() - 2);
  for (std::size_t i = 2; i < c.argc(); ++i) {
    std::optional<std::string_view> v;
    if (d) v = d->get(c.arg(i));
    if (v) {
      c.out.bulk(*v);
    } else {
      c.out.null();
    }
  }
}

void cmd_hdel(Ctx& c) {
  DictPtr d = find_hash(c);
  std::int64_t removed = 0;
  if (d) {
    for (std::size_t i = 2; i < c.argc(); ++i) removed += d->erase(c.arg(i)) ? 1 : 0;
    delete_if_emptied(c.engine, *d);
  }
  c.out.integer(removed);
}

void cmd_hlen(Ctx& c) {
  DictPtr d = find_hash(c);
  c.out.integer(d ? static_cast<std::int64_t>(d->size()) : 0);
}

void cmd_hstrlen(Ctx& c) {
  std::optional<std::string_view> v;
  if (DictPtr d = find_hash(c)) v = d->get(c.arg(2));
  c.out.integer(v ? static_cast<std::int64_t>(v->size()) : 0);
}

void cmd_hexists(Ctx& c) {
  DictPtr d = find_hash(c);
  // An integer, not a boolean, in RESP3 too (as Redis replies).
  c.out.integer(d && d->contains(c.arg(2)) ? 1 : 0);
}

void cmd_hkeys(Ctx& c) {
  DictPtr d = find_hash(c);
  if (!d) {
    c.out.array(0);
    return;
  }
  c.out.array(d->size());
  d->for_each([&](std::string_view k, std::string_view) { c.out.bulk(k); });
}

void cmd_hvals(Ctx& c) {
  DictPtr d = find_hash(c);
  if (!d) {
    c.out.array(0);
    return;
  }
  c.out.array(d->size());
  d->for_each([&](std::string_view, std::string_view v) { c.out.bulk(v); });
}

void cmd_hgetall(Ctx& c) {
  DictPtr d = find_hash(c);
  if (!d) {
    c.out.map(0);
    return;
  }
  c.out.map(d->size());
  d->for_each([&](std::string_view k, std::string_view v) {
    c.out.bulk(k);
    c.out.bulk(v);
  });
}

void cmd_hincrby(Ctx& c) {
  const std::int64_t n = int_arg(c.arg(3));
  DictPtr d = hash_for_write(c);
  std::optional<std::string_view> old = d->get(c.arg(2));
  if (old && !to_int64(*old)) fail(ErrorCode::err, "hash value is not an integer");
  c.out.integer(as_redis_error([&] { return d->incrby(c.arg(2), n); }));
}

void cmd_hincrbyfloat(Ctx& c) {
  const double x = float_arg(c.arg(3));
  // Checked before a missing hash is created, so a failure leaves nothing behind.
  if (!std::isfinite(x)) fail(ErrorCode::err, "increment would produce NaN or Infinity");
  DictPtr d = hash_for_write(c);
  std::optional<std::string_view> old = d->get(c.arg(2));
  if (old && !to_double(*old)) fail(ErrorCode::err, "hash value is not a float");
  const double now = as_redis_error([&] { return d->incrbyfloat(c.arg(2), x); });
  // Redis replies the stored text as a bulk string, in RESP3 too.
  c.out.bulk(format_double(now));
}

}  // namespace

void register_hash_commands(Engine& e) {
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(
        spec(std::move(name), arity, flags, std::move(h), std::move(summary), std::move(args)));
  };
  add("HSET", -4, write | fast | grows, cmd_hset, "Redis HSET; replies how many fields are new",
      "key field value [field value ...]");
  add("HMSET", -4, write | fast | grows, cmd_hset, "Redis HMSET; replies OK",
      "key field value [field value ...]");
  add("HSETNX", 4, write | fast | grows, cmd_hsetnx, "Redis HSETNX", "key field value");
  add("HGET", 3, readonly | fast, cmd_hget, "Redis HGET: a field's value, or nil", "key field");
  add("HMGET", -3, readonly | fast, cmd_hmget, "Redis HMGET", "key field [field ...]");
  add("HDEL", -3, write | fast, cmd_hdel, "Redis HDEL; an emptied hash is deleted",
      "key field [field ...]");
  add("HLEN", 2, readonly | fast, cmd_hlen, "Redis HLEN", "key");
  add("HSTRLEN", 3, readonly | fast, cmd_hstrlen, "Redis HSTRLEN", "key field");
  add("HEXISTS", 3, readonly | fast, cmd_hexists, "Redis HEXISTS", "key field");
  add("HKEYS", 2, readonly, cmd_hkeys, "Redis HKEYS, in insertion order", "key");
  add("HVALS", 2, readonly, cmd_hvals, "Redis HVALS, in insertion order", "key");
  add("HGETALL", 2, readonly, cmd_hgetall, "Redis HGETALL (a map in RESP3)", "key");
  add("HINCRBY", 4, write | fast | grows, cmd_hincrby, "Redis HINCRBY", "key field increment");
  add("HINCRBYFLOAT", 4, write | fast | grows, cmd_hincrbyfloat, "Redis HINCRBYFLOAT",
      "key field increment");
}

}  // namespace procshare::server::redis

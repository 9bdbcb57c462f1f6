// Redis strings on procshare `value` objects: SET GET GETSET GETDEL MSET MSETNX
// MGET SETNX INCR INCRBY DECR DECRBY INCRBYFLOAT APPEND STRLEN.
// A new string is a bytes value, so INCR keeps Redis's "digits in a string"
// behaviour (the text changes, GET returns it) and APPEND works on it; an
// existing int or float value (made by VALUE.INCRBY or CREATE) answers GET
// with its decimal text and INCR with its own arithmetic.
// procshare keys never expire: SET's EX/PX/EXAT/PXAT/KEEPTTL and SETEX are
// refused with a clear -ERR rather than silently ignored.
#include <cmath>
#include <optional>

#include "../types/scalar.hpp"
#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

using ValuePtr = std::shared_ptr<ValueObject>;

ValuePtr find_string(Ctx& c, std::string_view key) {
  return find_as<ValueObject>(c, key, kString);
}

ValuePtr create_string(Ctx& c, std::string_view key, std::string_view text) {
  auto v = std::static_pointer_cast<ValueObject>(create(c.engine, key, kString));
  v->set(text);
  return v;
}

void write_string(ReplyWriter& out, const ValueObject& v) {
  if (v.elem_type() == ElemType::bytes) {
    out.bulk(v.bytes());  // no copy for the common case
  } else {
    out.bulk(string_text(v));
  }
}

[[noreturn]] void no_expiry(std::string_view what) {
  fail(ErrorCode::err, std::string(what) + " is not supported: procshare keys do not expire");
}

void cmd_get(Ctx& c) {
  if (ValuePtr v = find_string(c, c.arg(1))) {
    write_string(c.out, *v);
  } else {
    c.out.null();
  }
}

void cmd_set(Ctx& c) {
  bool nx = false, xx = false, get = false;
  for (std::size_t i = 3; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    if (keyword_is(a, "NX")) {
      nx = true;
    } else if (keyword_is(a, "XX")) {
      xx = true;
    } else if (keyword_is(a, "GET")) {
      get = true;
    } else if (keyword_is(a, "EX") || keyword_is(a, "PX") || keyword_is(a, "EXAT") ||
               keyword_is(a, "PXAT") || keyword_is(a, "KEEPTTL")) {
      no_expiry("SET " + std::string(a));
    } else {
      syntax_error();
    }
  }
  if (nx && xx) syntax_error();
  std::string_view key = c.arg(1);
  std::shared_ptr<Object> existing = c.engine.objects().find(key);
  std::optional<std::string> old;
  if (get && existing) {
    if (existing->type_name() != kString) wrongtype();
    old = string_text(static_cast<ValueObject&>(*existing));
  }
  const bool store = !(nx && existing) && !(xx && !existing);
  if (store) set_string(c, key, c.arg(2));
  if (get) {
    if (old) {
      c.out.bulk(*old);
    } else {
      c.out.null();
    }
  } else if (store) {
    c.out.ok();
  } else {
    c.out.null();
  }
}

void cmd_getset(Ctx& c) {
  std::optional<std::string> old;
  if (ValuePtr v = find_string(c, c.arg(1))) old = string_text(*v);
  set_string(c, c.arg(1), c.arg(2));
  if (old) {
    c.out.bulk(*old);
  } else {
    c.out.null();
  }
}

void cmd_getdel(Ctx& c) {
  ValuePtr v = find_string(c, c.arg(1));
  if (!v) {
    c.out.null();
    return;
  }
  write_string(c.out, *v);
  c.engine.delete_object(c.arg(1));
}

void cmd_setnx(Ctx& c) {
  if (c.engine.objects().find_raw(c.arg(1))) {
    c.out.integer(0);
    return;
  }
  create_string(c, c.arg(1), c.arg(2));
  c.out.integer(1);
}

void cmd_mset(Ctx& c) {
  if (c.argc() % 2 != 1) wrong_arity(c);
  for (std::size_t i = 1; i < c.argc(); i += 2) set_string(c, c.arg(i), c.arg(i + 1));
  c.out.ok();
}

void cmd_msetnx(Ctx& c) {
  if (c.argc() % 2 != 1) wrong_arity(c);
  for (std::size_t i = 1; i < c.argc(); i += 2) {
    if (c.engine.objects().find_raw(c.arg(i))) {
      c.out.integer(0);
      return;
    }
  }
  for (std::size_t i = 1; i < c.argc(); i += 2) set_string(c, c.arg(i), c.arg(i + 1));
  c.out.integer(1);
}

void cmd_mget(Ctx& c) {
  c.out.array(c.argc() - 1);
  for (std::size_t i = 1; i < c.argc(); ++i) {
    // MGET answers nil for a key of another type, as Redis does.
    Object* o = c.engine.objects().find_raw(c.arg(i));
    if (o && o->type_name() == kString) {
      write_string(c.out, static_cast<ValueObject&>(*o));
    } else {
      c.out.null();
    }
  }
}

void incr_by(Ctx& c, std::int64_t n) {
  ValuePtr v = find_string(c, c.arg(1));
  if (!v) {
    create_string(c, c.arg(1), format_int64(n));
    c.out.integer(n);
    return;
  }
  // A float value would take the increment; a Redis string holding "1.5" does not.
  if (v->elem_type() == ElemType::float64) {
    fail(ErrorCode::err, "value is not an integer or out of range");
  }
  const Number now = as_redis_error([&] { return v->incrby(n); });
  c.out.integer(std::get<std::int64_t>(now));
}

void cmd_incr(Ctx& c) {
  incr_by(c, 1);
}
void cmd_decr(Ctx& c) {
  incr_by(c, -1);
}
void cmd_incrby(Ctx& c) {
  incr_by(c, int_arg(c.arg(2)));
}
void cmd_decrby(Ctx& c) {
  const std::int64_t n = int_arg(c.arg(2));
  if (n == INT64_MIN) fail(ErrorCode::err, "decrement would overflow");
  incr_by(c, -n);
}

void cmd_incrbyfloat(Ctx& c) {
  const double x = float_arg(c.arg(2));
  ValuePtr v = find_string(c, c.arg(1));
  if (!v) {
    if (!std::isfinite(x)) fail(ErrorCode::err, "increment would produce NaN or Infinity");
    v = create_string(c, c.arg(1), format_double(x));
  } else {
    as_redis_error([&] { return v->incrbyfloat(x); });
  }
  // Redis replies the new text as a bulk string, in RESP3 too.
  write_string(c.out, *v);
}

void cmd_append(Ctx& c) {
  ValuePtr v = find_string(c, c.arg(1));
  if (!v) {
    create_string(c, c.arg(1), c.arg(2));
    c.out.integer(static_cast<std::int64_t>(c.arg(2).size()));
  } else if (v->elem_type() == ElemType::bytes) {
    v->append(c.arg(2));
    c.out.integer(static_cast<std::int64_t>(v->bytes().size()));
  } else {
    // "12" + "ab" is no longer a number: the key becomes a bytes value.
    std::string text = string_text(*v);
    text.append(c.arg(2));
    set_string(c, c.arg(1), text);
    c.out.integer(static_cast<std::int64_t>(text.size()));
  }
}

void cmd_strlen(Ctx& c) {
  ValuePtr v = find_string(c, c.arg(1));
  std::size_t n = 0;
  if (v) n = v->elem_type() == ElemType::bytes ? v->bytes().size() : string_text(*v).size();
  c.out.integer(static_cast<std::int64_t>(n));
}

void cmd_setex(Ctx& c) {
  no_expiry(c.command.name);
}

}  // namespace

void register_string_commands(Engine& e) {
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(
        spec(std::move(name), arity, flags, std::move(h), std::move(summary), std::move(args)));
  };
  add("GET", 2, readonly | fast, cmd_get, "Redis GET: a string's value, or nil", "key");
  add("SET", -3, write | grows, cmd_set, "Redis SET [NX|XX] [GET] (no expiry options)",
      "key value [NX|XX] [GET]");
  add("GETSET", 3, write | fast | grows, cmd_getset, "Redis GETSET: set, reply the old value",
      "key value");
  add("GETDEL", 2, write | fast, cmd_getdel, "Redis GETDEL: reply and delete a string", "key");
  add("SETNX", 3, write | fast | grows, cmd_setnx, "Redis SETNX: set if the key is missing",
      "key value");
  add("MSET", -3, write | grows, cmd_mset, "Redis MSET: set several strings",
      "key value [key value ...]");
  add("MSETNX", -3, write | grows, cmd_msetnx, "Redis MSETNX: set several strings if none exists",
      "key value [key value ...]");
  add("MGET", -2, readonly | fast, cmd_mget, "Redis MGET: several strings (nil when missing)",
      "key [key ...]");
  add("INCR", 2, write | fast | grows, cmd_incr, "Redis INCR", "key");
  add("DECR", 2, write | fast | grows, cmd_decr, "Redis DECR", "key");
  add("INCRBY", 3, write | fast | grows, cmd_incrby, "Redis INCRBY", "key increment");
  add("DECRBY", 3, write | fast | grows, cmd_decrby, "Redis DECRBY", "key decrement");
  add("INCRBYFLOAT", 3, write | fast | grows, cmd_incrbyfloat, "Redis INCRBYFLOAT",
      "key increment");
  add("APPEND", 3, write | fast | grows, cmd_append, "Redis APPEND; replies the new length",
      "key value");
  add("STRLEN", 2, readonly | fast, cmd_strlen, "Redis STRLEN", "key");
  add("SETEX", 4, write, cmd_setex, "Unsupported: procshare keys do not expire",
      "key seconds value");
  add("PSETEX", 4, write, cmd_setex, "Unsupported: procshare keys do not expire",
      "key milliseconds value");
}

}  // namespace procshare::server::redis

// Glue of the `dict` type (PROTOCOL.md §6): parses arguments, calls
// DictObject, writes replies. Python's dict where Python has an answer
// (KEYERROR for a missing key, LIFO POPITEM), Redis's hash where it has not:
// DICT.SET and DICT.UPDATE reply how many keys are new, as HSET does, and the
// INCRBY pair start a missing key at 0, as HINCRBY does.
#include "../types/dict.hpp"
#include "data_glue.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

using data_glue::object_command;
using data_glue::parse_default;

DictObject& dict(Ctx& c) {
  return c.obj<DictObject>();
}

// A missing key is an expected answer, written directly: throwing costs
// ~1.5 us per reply, 30x a hit.
void missing_key(Ctx& c) {
  c.error(ErrorCode::keyerror, "no such key");
}

void dict_set(Ctx& c) {
  c.out.integer(dict(c).set(c.arg(2), c.arg(3)) ? 1 : 0);
}

void dict_get(Ctx& c) {
  auto fallback = parse_default(c.args, 3);
  auto v = dict(c).get(c.arg(2));
  if (!v && !fallback) return missing_key(c);
  c.out.bulk(v ? *v : *fallback);
}

void dict_del(Ctx& c) {
  if (!dict(c).erase(c.arg(2))) return missing_key(c);
  c.out.ok();
}

void dict_has(Ctx& c) {
  c.out.boolean(dict(c).contains(c.arg(2)));
}

void dict_len(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(dict(c).size()));
}

void dict_keys(Ctx& c) {
  c.out.array(dict(c).size());
  dict(c).for_each([&](std::string_view k, std::string_view) { c.out.bulk(k); });
}

void dict_values(Ctx& c) {
  c.out.array(dict(c).size());
  dict(c).for_each([&](std::string_view, std::string_view v) { c.out.bulk(v); });
}

void dict_items(Ctx& c) {
  c.out.map(dict(c).size());
  dict(c).for_each([&](std::string_view k, std::string_view v) {
    c.out.bulk(k);
    c.out.bulk(v);
  });
}

void dict_pop(Ctx& c) {
  auto fallback = parse_default(c.args, 3);
  auto v = dict(c).pop(c.arg(2));
  if (!v && !fallback) return missing_key(c);
  c.out.bulk(v ? std::string_view(*v) : *fallback);
}

void dict_popitem(Ctx& c) {
  auto item = dict(c).popitem();
  if (!item) fail(ErrorCode::keyerror, "popitem(): dictionary is empty");
  c.out.array(2);
  c.out.bulk(item->first);
  c.out.bulk(item->second);
}

void dict_setdefault(Ctx& c) {
  c.out.bulk(dict(c).setdefault(c.arg(2), c.arg(3)));
}

void dict_update(Ctx& c) {
  if ((c.argc() - 2) % 2 != 0) {
    fail(ErrorCode::err, "wrong number of arguments for 'dict.update' command");
  }
  std::int64_t added = 0;
  for (std::size_t i = 2; i < c.argc(); i += 2) added += dict(c).set(c.arg(i), c.arg(i + 1));
  c.out.integer(added);
}

void dict_clear(Ctx& c) {
  dict(c).clear();
  c.out.ok();
}

void dict_incrby(Ctx& c) {
  const std::int64_t n = int_or_fail(c.arg(3));
  c.out.integer(dict(c).incrby(c.arg(2), n));
}

void dict_incrbyfloat(Ctx& c) {
  const double x = float_or_fail(c.arg(3));
  c.out.floating(dict(c).incrbyfloat(c.arg(2), x));
}

}  // namespace

void register_dict_type(Engine& e) {
  e.register_type(TypeSpec{
      .name = "dict",
      .make = [](Engine&, std::span<const std::string_view> options) -> std::unique_ptr<Object> {
        data_glue::no_options(options);
        return std::make_unique<DictObject>();
      },
      .summary = "Python's dict of byte strings, in insertion order",
  });
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(object_command("dict", std::move(name), arity, flags, std::move(h),
                                      std::move(summary), std::move(args)));
  };
  add("DICT.SET", 4, write | fast, dict_set, "d[key] = value; replies 1 if key is new, else 0",
      "dict key value");
  add("DICT.GET", -3, readonly | fast, dict_get,
      "d[key], or the DEFAULT; KEYERROR when missing without one", "dict key [DEFAULT value]");
  add("DICT.DEL", 3, write | fast, dict_del, "del d[key]; KEYERROR when missing", "dict key");
  add("DICT.HAS", 3, readonly | fast, dict_has, "key in d", "dict key");
  add("DICT.LEN", 2, readonly | fast, dict_len, "len(d)", "dict");
  add("DICT.KEYS", 2, readonly, dict_keys, "the keys, in insertion order", "dict");
  add("DICT.VALUES", 2, readonly, dict_values, "the values, in insertion order", "dict");
  add("DICT.ITEMS", 2, readonly, dict_items, "the items as a mapping, in insertion order", "dict");
  add("DICT.POP", -3, write | fast, dict_pop,
      "removes and replies d[key], or the DEFAULT; KEYERROR when missing without one",
      "dict key [DEFAULT value]");
  add("DICT.POPITEM", 2, write | fast, dict_popitem,
      "removes and replies the newest [key, value]; KEYERROR when empty", "dict");
  add("DICT.SETDEFAULT", 4, write | fast, dict_setdefault,
      "d.setdefault(key, value): the value now under key", "dict key value");
  add("DICT.UPDATE", -4, write | fast, dict_update,
      "sets every key/value pair; replies how many keys are new", "dict key value [key value ...]");
  add("DICT.CLEAR", 2, write, dict_clear, "removes every item", "dict");
  add("DICT.INCRBY", 4, write | fast, dict_incrby,
      "adds an integer to d[key] (missing: 0); replies the new value", "dict key increment");
  add("DICT.INCRBYFLOAT", 4, write | fast, dict_incrbyfloat,
      "adds a float to d[key] (missing: 0); replies the new value", "dict key increment");
}

}  // namespace procshare::server

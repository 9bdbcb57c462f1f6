// Glue of the `dict` type (PROTOCOL.md §6): parses arguments, calls
// DictObject, writes replies. Python's dict where Python has an answer
// (KEYERROR for a missing key, LIFO POPITEM), Redis's hash where it has not:
// DICT.SET and DICT.UPDATE reply how many keys are new, as HSET does, and the
// INCRBY pair start a missing key at 0, as HINCRBY does.
#include "../types/dict.hpp"
#include "data_glue.hpp"
#include "dump_util.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

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

void dict_scan(Ctx& c) {
  data_glue::scan_pairs(
      c, [](Ctx & x) -> auto& { return dict(x); });
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
  if (c.engine.logging()) c.engine.log_instead({"DICT.DEL", std::string(c.arg(1)), item->first});
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
  DictObject& d = dict(c);
  std::int64_t added = 0;
  for (std::size_t i = 2; i < c.argc(); i += 2) added += d.set(c.arg(i), c.arg(i + 1));
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

namespace {
void dump_dict(const Object& obj, const TypeSpec::Emit& emit) {
  const auto& d = static_cast<const DictObject&>(obj);
  dump::create(emit, obj);
  dump::Batch b(emit, {"DICT.UPDATE", obj.name()});
  d.for_each([&](std::string_view k, std::string_view v) {
    b.add(k);
    b.add(v);
  });
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
      .dump = dump_dict,
  });
  using namespace flag;
  data_glue::register_family(
      e, "dict",
      {
          {.name = "DICT.SET",
           .arity = 4,
           .flags = write | fast | grows,
           .handler = dict_set,
           .summary = "d[key] = value; replies 1 if key is new, else 0",
           .args = "dict key value"},
          {.name = "DICT.GET",
           .arity = -3,
           .flags = readonly | fast,
           .handler = dict_get,
           .summary = "d[key], or the DEFAULT; KEYERROR when missing without one",
           .args = "dict key [DEFAULT value]"},
          {.name = "DICT.DEL",
           .arity = 3,
           .flags = write | fast,
           .handler = dict_del,
           .summary = "del d[key]; KEYERROR when missing",
           .args = "dict key"},
          {.name = "DICT.HAS",
           .arity = 3,
           .flags = readonly | fast,
           .handler = dict_has,
           .summary = "key in d",
           .args = "dict key"},
          {.name = "DICT.LEN",
           .arity = 2,
           .flags = readonly | fast,
           .handler = dict_len,
           .summary = "len(d)",
           .args = "dict"},
          {.name = "DICT.KEYS",
           .arity = 2,
           .flags = readonly,
           .handler = dict_keys,
           .summary = "the keys, in insertion order",
           .args = "dict"},
          {.name = "DICT.VALUES",
           .arity = 2,
           .flags = readonly,
           .handler = dict_values,
           .summary = "the values, in insertion order",
           .args = "dict"},
          {.name = "DICT.ITEMS",
           .arity = 2,
           .flags = readonly,
           .handler = dict_items,
           .summary = "the items as a mapping, in insertion order",
           .args = "dict"},
          {.name = "DICT.SCAN",
           .arity = -3,
           .flags = readonly,
           .handler = dict_scan,
           .summary = "HSCAN: [next cursor, flat k v ...]; O(COUNT); every item present "
                      "throughout comes at least once",
           .args = "dict cursor [COUNT count]"},
          {.name = "DICT.POP",
           .arity = -3,
           .flags = write | fast,
           .handler = dict_pop,
           .summary =
               "removes and replies d[key], or the DEFAULT; KEYERROR when missing without one",
           .args = "dict key [DEFAULT value]"},
          {.name = "DICT.POPITEM",
           .arity = 2,
           .flags = write | fast,
           .handler = dict_popitem,
           .summary = "removes and replies the newest [key, value]; KEYERROR when empty",
           .args = "dict"},
          {.name = "DICT.SETDEFAULT",
           .arity = 4,
           .flags = write | fast | grows,
           .handler = dict_setdefault,
           .summary = "d.setdefault(key, value): the value now under key",
           .args = "dict key value"},
          {.name = "DICT.UPDATE",
           .arity = -4,
           .flags = write | fast | grows,
           .handler = dict_update,
           .summary = "sets every key/value pair; replies how many keys are new",
           .args = "dict key value [key value ...]"},
          {.name = "DICT.CLEAR",
           .arity = 2,
           .flags = write,
           .handler = dict_clear,
           .summary = "removes every item",
           .args = "dict"},
          {.name = "DICT.INCRBY",
           .arity = 4,
           .flags = write | fast | grows,
           .handler = dict_incrby,
           .summary = "adds an integer to d[key] (missing: 0); replies the new value",
           .args = "dict key increment"},
          {.name = "DICT.INCRBYFLOAT",
           .arity = 4,
           .flags = write | fast | grows,
           .handler = dict_incrbyfloat,
           .summary = "adds a float to d[key] (missing: 0); replies the new value",
           .args = "dict key increment"},
      });
}

}  // namespace procshare::server

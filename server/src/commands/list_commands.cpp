// Glue of the `list` type (PROTOCOL.md §6): parses arguments, calls
// ListObject, writes replies. Python's list semantics and error kinds
// (INDEXERROR, VALUEERROR); the commands that add items reply the new length,
// as Redis's RPUSH and LINSERT do, and the other changes reply +OK.
#include "../types/list.hpp"
#include "data_glue.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

using data_glue::object_command;
using data_glue::parse_index;

ListObject& list(Ctx& c) {
  return c.obj<ListObject>();
}

void reply_len(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(list(c).size()));
}

void list_append(Ctx& c) {
  list(c).append(c.arg(2));
  reply_len(c);
}

void list_extend(Ctx& c) {
  list(c).extend(c.args.subspan(2));
  reply_len(c);
}

void list_insert(Ctx& c) {
  list(c).insert(parse_index(c.arg(2)), c.arg(3));
  reply_len(c);
}

void list_pop(Ctx& c) {
  if (c.argc() > 3) data_glue::syntax_error();
  const std::int64_t i = c.argc() == 3 ? parse_index(c.arg(2)) : -1;
  c.out.bulk(list(c).pop(i));
}

void list_get(Ctx& c) {
  c.out.bulk(list(c).at(parse_index(c.arg(2))));
}

void list_set(Ctx& c) {
  list(c).set(parse_index(c.arg(2)), c.arg(3));
  c.out.ok();
}

void list_del(Ctx& c) {
  list(c).erase(parse_index(c.arg(2)));
  c.out.ok();
}

void list_range(Ctx& c) {
  const Slice s = list(c).slice(parse_index(c.arg(2)), parse_index(c.arg(3)));
  c.out.array(s.size());
  for (std::size_t i = s.begin; i < s.end; ++i) c.out.bulk(list(c)[i]);
}

void list_index(Ctx& c) {
  auto pos = list(c).index(c.arg(2));
  if (!pos) fail(ErrorCode::valueerror, "value is not in list");
  c.out.integer(static_cast<std::int64_t>(*pos));
}

void list_count(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(list(c).count(c.arg(2))));
}

void list_remove(Ctx& c) {
  if (!list(c).remove(c.arg(2))) fail(ErrorCode::valueerror, "list.remove(x): x not in list");
  c.out.ok();
}

void list_reverse(Ctx& c) {
  list(c).reverse();
  c.out.ok();
}

void list_sort(Ctx& c) {
  bool numeric = false;
  bool descending = false;
  for (std::size_t i = 2; i < c.argc(); ++i) {
    if (keyword_is(c.arg(i), "NUMERIC") && !numeric) {
      numeric = true;
    } else if (keyword_is(c.arg(i), "REVERSE") && !descending) {
      descending = true;
    } else {
      data_glue::syntax_error();
    }
  }
  list(c).sort(numeric, descending);
  c.out.ok();
}

void list_clear(Ctx& c) {
  list(c).clear();
  c.out.ok();
}

void list_len(Ctx& c) {
  reply_len(c);
}

}  // namespace

void register_list_type(Engine& e) {
  e.register_type(TypeSpec{
      .name = "list",
      .make = [](Engine&, std::span<const std::string_view> options) -> std::unique_ptr<Object> {
        data_glue::no_options(options);
        return std::make_unique<ListObject>();
      },
      .summary = "Python's list of byte strings",
  });
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(object_command("list", std::move(name), arity, flags, std::move(h),
                                      std::move(summary), std::move(args)));
  };
  add("LIST.APPEND", 3, write | fast, list_append, "l.append(value); replies the new length",
      "list value");
  add("LIST.EXTEND", -3, write, list_extend, "appends every value; replies the new length",
      "list value [value ...]");
  add("LIST.INSERT", 4, write, list_insert,
      "l.insert(index, value), index clamped as in Python; replies the new length",
      "list index value");
  add("LIST.POP", -2, write, list_pop,
      "removes and replies l[index] (default -1); INDEXERROR when empty or out of range",
      "list [index]");
  add("LIST.GET", 3, readonly | fast, list_get, "l[index]; INDEXERROR when out of range",
      "list index");
  add("LIST.SET", 4, write | fast, list_set, "l[index] = value; INDEXERROR when out of range",
      "list index value");
  add("LIST.DEL", 3, write, list_del, "del l[index]; INDEXERROR when out of range", "list index");
  add("LIST.LEN", 2, readonly | fast, list_len, "len(l)", "list");
  add("LIST.RANGE", 4, readonly, list_range, "l[start:stop], Python's slice rules",
      "list start stop");
  add("LIST.INDEX", 3, readonly, list_index,
      "the index of the first item equal to value; VALUEERROR when absent", "list value");
  add("LIST.COUNT", 3, readonly, list_count, "how many items equal value", "list value");
  add("LIST.REMOVE", 3, write, list_remove,
      "removes the first item equal to value; VALUEERROR when absent", "list value");
  add("LIST.REVERSE", 2, write, list_reverse, "reverses the list in place", "list");
  add("LIST.SORT", -2, write, list_sort,
      "stable sort, bytewise or NUMERIC (VALUEERROR if an item is not a number)",
      "list [NUMERIC] [REVERSE]");
  add("LIST.CLEAR", 2, write, list_clear, "removes every item", "list");
}

}  // namespace procshare::server

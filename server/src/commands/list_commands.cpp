// Glue of the `list` type (PROTOCOL.md §6): parses arguments, calls
// ListObject, writes replies. Python's list semantics and error kinds
// (INDEXERROR, VALUEERROR); the commands that add items reply the new length,
// as Redis's RPUSH and LINSERT do, and the other changes reply +OK.
#include "../types/list.hpp"
#include "data_glue.hpp"
#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

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
  const std::int64_t i = parse_index(c.arg(2));
  list(c).insert(i, c.arg(3));
  reply_len(c);
}

void list_pop(Ctx& c) {
  ArgReader r(c.args, 2);
  const std::int64_t i = r.more() ? r.next_int(ErrorCode::valueerror) : -1;
  r.finish();
  c.out.bulk(list(c).pop(i));
}

void list_get(Ctx& c) {
  const std::int64_t i = parse_index(c.arg(2));
  c.out.bulk(list(c).at(i));
}

void list_set(Ctx& c) {
  const std::int64_t i = parse_index(c.arg(2));
  list(c).set(i, c.arg(3));
  c.out.ok();
}

void list_del(Ctx& c) {
  const std::int64_t i = parse_index(c.arg(2));
  list(c).erase(i);
  c.out.ok();
}

void list_range(Ctx& c) {
  const std::int64_t start = parse_index(c.arg(2));
  const std::int64_t stop = parse_index(c.arg(3));
  const Slice s = list(c).slice(start, stop);
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
  ArgReader r(c.args, 2);
  while (r.more()) {
    if (!numeric && r.accept("NUMERIC")) {
      numeric = true;
    } else if (!descending && r.accept("REVERSE")) {
      descending = true;
    } else {
      r.error(ErrorCode::err, "syntax error");
    }
  }
  r.finish();
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
  data_glue::register_family(
      e, "list",
      {
          {.name = "LIST.APPEND",
           .arity = 3,
           .flags = write | fast | grows,
           .handler = list_append,
           .summary = "l.append(value); replies the new length",
           .args = "list value"},
          {.name = "LIST.EXTEND",
           .arity = -3,
           .flags = write | grows,
           .handler = list_extend,
           .summary = "appends every value; replies the new length",
           .args = "list value [value ...]"},
          {.name = "LIST.INSERT",
           .arity = 4,
           .flags = write | grows,
           .handler = list_insert,
           .summary = "l.insert(index, value), index clamped as in Python; replies the new length",
           .args = "list index value"},
          {.name = "LIST.POP",
           .arity = -2,
           .flags = write,
           .handler = list_pop,
           .summary =
               "removes and replies l[index] (default -1); INDEXERROR when empty or out of range",
           .args = "list [index]"},
          {.name = "LIST.GET",
           .arity = 3,
           .flags = readonly | fast,
           .handler = list_get,
           .summary = "l[index]; INDEXERROR when out of range",
           .args = "list index"},
          {.name = "LIST.SET",
           .arity = 4,
           .flags = write | fast | grows,
           .handler = list_set,
           .summary = "l[index] = value; INDEXERROR when out of range",
           .args = "list index value"},
          {.name = "LIST.DEL",
           .arity = 3,
           .flags = write,
           .handler = list_del,
           .summary = "del l[index]; INDEXERROR when out of range",
           .args = "list index"},
          {.name = "LIST.LEN",
           .arity = 2,
           .flags = readonly | fast,
           .handler = list_len,
           .summary = "len(l)",
           .args = "list"},
          {.name = "LIST.RANGE",
           .arity = 4,
           .flags = readonly,
           .handler = list_range,
           .summary = "l[start:stop], Python's slice rules",
           .args = "list start stop"},
          {.name = "LIST.INDEX",
           .arity = 3,
           .flags = readonly,
           .handler = list_index,
           .summary = "the index of the first item equal to value; VALUEERROR when absent",
           .args = "list value"},
          {.name = "LIST.COUNT",
           .arity = 3,
           .flags = readonly,
           .handler = list_count,
           .summary = "how many items equal value",
           .args = "list value"},
          {.name = "LIST.REMOVE",
           .arity = 3,
           .flags = write,
           .handler = list_remove,
           .summary = "removes the first item equal to value; VALUEERROR when absent",
           .args = "list value"},
          {.name = "LIST.REVERSE",
           .arity = 2,
           .flags = write,
           .handler = list_reverse,
           .summary = "reverses the list in place",
           .args = "list"},
          {.name = "LIST.SORT",
           .arity = -2,
           .flags = write,
           .handler = list_sort,
           .summary = "stable sort, bytewise or NUMERIC (VALUEERROR if an item is not a number)",
           .args = "list [NUMERIC] [REVERSE]"},
          {.name = "LIST.CLEAR",
           .arity = 2,
           .flags = write,
           .handler = list_clear,
           .summary = "removes every item",
           .args = "list"},
      });
}

}  // namespace procshare::server

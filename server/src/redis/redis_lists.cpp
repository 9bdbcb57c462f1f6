// Redis lists on procshare `list` objects: LPUSH RPUSH LPUSHX RPUSHX LPOP RPOP
// LRANGE LLEN LINDEX LSET LREM LINSERT (BLPOP/BRPOP: redis_blocking.cpp).
// Redis's index rules (LRANGE's stop is inclusive, out-of-range reads are
// nil or clamped) are applied here; the list keeps Python's for LIST.*.
// An empty list counts as a missing key, and one emptied here is deleted.
#include "../types/indexing.hpp"
#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

using ListPtr = std::shared_ptr<ListObject>;

ListPtr find_list(Ctx& c) {
  return find_as<ListObject>(c, c.arg(1), kList);
}

void push(Ctx& c, bool front, bool only_existing) {
  ListPtr l = only_existing ? find_list(c) : find_or_create_as<ListObject>(c, c.arg(1), kList);
  if (!l) {
    c.out.integer(0);
    return;
  }
  // The length right after the push is the reply, even when a blocked client
  // takes an item at once (as Redis serves blocked clients after the command).
  auto vs = c.args.subspan(2);
  const std::size_t n = front ? l->push_front(vs) : l->push_back(vs);
  c.out.integer(static_cast<std::int64_t>(n));
}

void cmd_lpush(Ctx& c) {
  push(c, true, false);
}
void cmd_rpush(Ctx& c) {
  push(c, false, false);
}
void cmd_lpushx(Ctx& c) {
  push(c, true, true);
}
void cmd_rpushx(Ctx& c) {
  push(c, false, true);
}

void pop(Ctx& c, bool front) {
  if (c.argc() > 3) syntax_error();
  const bool counted = c.argc() == 3;
  const std::int64_t count = counted ? count_arg(c.arg(2)) : 1;
  ListPtr l = find_list(c);
  if (!l || l->size() == 0) {
    if (counted) {
      c.out.null_array();
    } else {
      c.out.null();
    }
    return;
  }
  const std::int64_t at = front ? 0 : -1;
  if (!counted) {
    c.out.bulk(l->pop(at));
  } else {
    const auto n = std::min(static_cast<std::size_t>(count), l->size());
    c.out.array(n);
    for (std::size_t i = 0; i < n; ++i) c.out.bulk(l->pop(at));
  }
  delete_if_emptied(c.engine, *l);
}

void cmd_lpop(Ctx& c) {
  pop(c, true);
}
void cmd_rpop(Ctx& c) {
  pop(c, false);
}

void cmd_lrange(Ctx& c) {
  std::int64_t start = int_arg(c.arg(2));
  std::int64_t stop = int_arg(c.arg(3));
  ListPtr l = find_list(c);
  const auto len = l ? static_cast<std::int64_t>(l->size()) : 0;
  if (start < 0) start += len;
  if (stop < 0) stop += len;
  if (start < 0) start = 0;
  if (stop >= len) stop = len - 1;
  if (!l || start > stop || start >= len) {
    c.out.array(0);
    return;
  }
  c.out.array(static_cast<std::size_t>(stop - start + 1));
  for (std::int64_t i = start; i <= stop; ++i) c.out.bulk((*l)[static_cast<std::size_t>(i)]);
}

void cmd_llen(Ctx& c) {
  ListPtr l = find_list(c);
  c.out.integer(l ? static_cast<std::int64_t>(l->size()) : 0);
}

void cmd_lindex(Ctx& c) {
  const std::int64_t i = int_arg(c.arg(2));
  ListPtr l = find_list(c);
  std::optional<std::size_t> pos;
  if (l) pos = resolve_index(i, l->size());
  if (pos) {
    c.out.bulk((*l)[*pos]);
  } else {
    c.out.null();
  }
}

void cmd_lset(Ctx& c) {
  const std::int64_t i = int_arg(c.arg(2));
  ListPtr l = find_list(c);
  if (!l) fail(ErrorCode::err, "no such key");
  if (!resolve_index(i, l->size())) fail(ErrorCode::err, "index out of range");
  l->set(i, c.arg(3));
  c.out.ok();
}

void cmd_lrem(Ctx& c) {
  const std::int64_t count = int_arg(c.arg(2));
  ListPtr l = find_list(c);
  std::size_t removed = 0;
  if (l) {
    removed = l->remove_count(c.arg(3), count);
    delete_if_emptied(c.engine, *l);
  }
  c.out.integer(static_cast<std::int64_t>(removed));
}

void cmd_linsert(Ctx& c) {
  bool after = false;
  if (keyword_is(c.arg(2), "AFTER")) {
    after = true;
  } else if (!keyword_is(c.arg(2), "BEFORE")) {
    syntax_error();
  }
  ListPtr l = find_list(c);
  if (!l) {
    c.out.integer(0);
    return;
  }
  std::optional<std::size_t> pivot = l->index(c.arg(3));
  if (!pivot) {
    c.out.integer(-1);
    return;
  }
  // Read before inserting: a blocked client may take an item at once.
  const auto n = static_cast<std::int64_t>(l->size() + 1);
  l->insert(static_cast<std::int64_t>(*pivot + (after ? 1 : 0)), c.arg(4));
  c.out.integer(n);
}

}  // namespace

void register_list_commands(Engine& e) {
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(
        spec(std::move(name), arity, flags, std::move(h), std::move(summary), std::move(args)));
  };
  add("LPUSH", -3, write | fast | grows, cmd_lpush, "Redis LPUSH; replies the new length",
      "key element [element ...]");
  add("RPUSH", -3, write | fast | grows, cmd_rpush, "Redis RPUSH; replies the new length",
      "key element [element ...]");
  add("LPUSHX", -3, write | fast | grows, cmd_lpushx, "Redis LPUSHX: LPUSH to an existing list",
      "key element [element ...]");
  add("RPUSHX", -3, write | fast | grows, cmd_rpushx, "Redis RPUSHX: RPUSH to an existing list",
      "key element [element ...]");
  add("LPOP", -2, write | fast, cmd_lpop, "Redis LPOP [count]; an emptied list is deleted",
      "key [count]");
  add("RPOP", -2, write | fast, cmd_rpop, "Redis RPOP [count]; an emptied list is deleted",
      "key [count]");
  add("LRANGE", 4, readonly, cmd_lrange, "Redis LRANGE (stop inclusive)", "key start stop");
  add("LLEN", 2, readonly | fast, cmd_llen, "Redis LLEN", "key");
  add("LINDEX", 3, readonly, cmd_lindex, "Redis LINDEX: an item, or nil", "key index");
  add("LSET", 4, write | grows, cmd_lset, "Redis LSET", "key index element");
  add("LREM", 4, write, cmd_lrem, "Redis LREM: remove count occurrences (0: all)",
      "key count element");
  add("LINSERT", 5, write | grows, cmd_linsert, "Redis LINSERT BEFORE|AFTER pivot",
      "key BEFORE|AFTER pivot element");
}

}  // namespace procshare::server::redis

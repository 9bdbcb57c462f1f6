// Glue of the `set` type (PROTOCOL.md §6): parses arguments, calls SetObject,
// writes replies. SET.ADD and SET.DISCARD count what changed (Redis's SADD and
// SREM); SET.REMOVE and SET.POP raise KEYERROR as Python's set does.
#include "../types/set.hpp"
#include "data_glue.hpp"
#include "dump_util.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

SetObject& set(Ctx& c) {
  return c.obj<SetObject>();
}

void set_add(Ctx& c) {
  std::int64_t added = 0;
  for (std::size_t i = 2; i < c.argc(); ++i) added += set(c).add(c.arg(i));
  c.out.integer(added);
}

void set_discard(Ctx& c) {
  std::int64_t removed = 0;
  for (std::size_t i = 2; i < c.argc(); ++i) removed += set(c).discard(c.arg(i));
  c.out.integer(removed);
}

void set_remove(Ctx& c) {
  if (!set(c).discard(c.arg(2))) fail(ErrorCode::keyerror, "no such member");
  c.out.ok();
}

void set_has(Ctx& c) {
  c.out.boolean(set(c).contains(c.arg(2)));
}

void set_len(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(set(c).size()));
}

void set_members(Ctx& c) {
  c.out.array(set(c).size());
  set(c).for_each([&](std::string_view m) { c.out.bulk(m); });
}

// SSCAN's shape; a missing set is empty, as in Redis.
void set_scan(Ctx& c) {
  const data_glue::ScanArgs a = data_glue::parse_scan(c.args);
  std::vector<std::string_view> page;
  std::uint64_t next = 0;
  if (c.engine.objects().find_raw(c.arg(1))) {
    next = set(c).scan(a.cursor, a.count, [&](std::string_view m) { page.push_back(m); });
  }
  data_glue::write_scan(c.out, next, page);
}

void set_pop(Ctx& c) {
  auto m = set(c).pop();
  if (!m) fail(ErrorCode::keyerror, "pop from an empty set");
  // Which member pops depends on the set's history, which a snapshot does
  // not keep: the log names it.
  if (c.engine.logging()) c.engine.log_instead({"SET.DISCARD", std::string(c.arg(1)), *m});
  c.out.bulk(*m);
}

void set_clear(Ctx& c) {
  set(c).clear();
  c.out.ok();
}

}  // namespace

namespace {
void dump_set(const Object& obj, const TypeSpec::Emit& emit) {
  const auto& s = static_cast<const SetObject&>(obj);
  dump::create(emit, obj);
  dump::Batch b(emit, {"SET.ADD", obj.name()});
  s.for_each([&](std::string_view m) { b.add(m); });
}
}  // namespace

void register_set_type(Engine& e) {
  e.register_type(TypeSpec{
      .name = "set",
      .make = [](Engine&, std::span<const std::string_view> options) -> std::unique_ptr<Object> {
        data_glue::no_options(options);
        return std::make_unique<SetObject>();
      },
      .summary = "Python's set of byte strings",
      .dump = dump_set,
  });
  using namespace flag;
  data_glue::register_family(e, "set",
                             {
                                 {.name = "SET.ADD",
                                  .arity = -3,
                                  .flags = write | fast | grows,
                                  .handler = set_add,
                                  .summary = "adds the values; replies how many were new",
                                  .args = "set value [value ...]"},
                                 {.name = "SET.DISCARD",
                                  .arity = -3,
                                  .flags = write | fast,
                                  .handler = set_discard,
                                  .summary = "removes the values; replies how many were there",
                                  .args = "set value [value ...]"},
                                 {.name = "SET.REMOVE",
                                  .arity = 3,
                                  .flags = write | fast,
                                  .handler = set_remove,
                                  .summary = "removes value; KEYERROR when absent",
                                  .args = "set value"},
                                 {.name = "SET.HAS",
                                  .arity = 3,
                                  .flags = readonly | fast,
                                  .handler = set_has,
                                  .summary = "value in s",
                                  .args = "set value"},
                                 {.name = "SET.LEN",
                                  .arity = 2,
                                  .flags = readonly | fast,
                                  .handler = set_len,
                                  .summary = "len(s)",
                                  .args = "set"},
                                 {.name = "SET.MEMBERS",
                                  .arity = 2,
                                  .flags = readonly,
                                  .handler = set_members,
                                  .summary = "every member",
                                  .args = "set"},
                                 {.name = "SET.SCAN",
                                  .arity = -3,
                                  .flags = readonly,
                                  .handler = set_scan,
                                  .summary = "SSCAN: [next cursor, members]; O(COUNT); every "
                                             "member present throughout comes at least once",
                                  .args = "set cursor [COUNT count]"},
                                 {.name = "SET.POP",
                                  .arity = 2,
                                  .flags = write | fast,
                                  .handler = set_pop,
                                  .summary = "removes and replies a member; KEYERROR when empty",
                                  .args = "set"},
                                 {.name = "SET.CLEAR",
                                  .arity = 2,
                                  .flags = write,
                                  .handler = set_clear,
                                  .summary = "removes every member",
                                  .args = "set"},
                             });
}

}  // namespace procshare::server

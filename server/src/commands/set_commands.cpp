// Glue of the `set` type (PROTOCOL.md §6): parses arguments, calls SetObject,
// writes replies. SET.ADD and SET.DISCARD count what changed (Redis's SADD and
// SREM); SET.REMOVE and SET.POP raise KEYERROR as Python's set does.
#include "../types/set.hpp"
#include "data_glue.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"

namespace procshare::server {

namespace {

using data_glue::object_command;

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

void set_pop(Ctx& c) {
  auto m = set(c).pop();
  if (!m) fail(ErrorCode::keyerror, "pop from an empty set");
  c.out.bulk(*m);
}

void set_clear(Ctx& c) {
  set(c).clear();
  c.out.ok();
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
  });
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(object_command("set", std::move(name), arity, flags, std::move(h),
                                      std::move(summary), std::move(args)));
  };
  add("SET.ADD", -3, write | fast, set_add, "adds the values; replies how many were new",
      "set value [value ...]");
  add("SET.DISCARD", -3, write | fast, set_discard,
      "removes the values; replies how many were there", "set value [value ...]");
  add("SET.REMOVE", 3, write | fast, set_remove, "removes value; KEYERROR when absent",
      "set value");
  add("SET.HAS", 3, readonly | fast, set_has, "value in s", "set value");
  add("SET.LEN", 2, readonly | fast, set_len, "len(s)", "set");
  add("SET.MEMBERS", 2, readonly, set_members, "every member", "set");
  add("SET.POP", 2, write | fast, set_pop, "removes and replies a member; KEYERROR when empty",
      "set");
  add("SET.CLEAR", 2, write, set_clear, "removes every member", "set");
}

}  // namespace procshare::server

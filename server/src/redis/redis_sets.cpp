// Redis sets on procshare `set` objects: SADD SREM SPOP SISMEMBER SMISMEMBER
// SCARD SMEMBERS SRANDMEMBER. SMEMBERS is a RESP3 set (an array in RESP2).
// SPOP takes the newest member (procshare's set.pop(), O(1)); Redis promises
// only "a random member", and so does this. SRANDMEMBER is uniformly random.
#include <random>
#include <vector>

#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

using SetPtr = std::shared_ptr<SetObject>;

SetPtr find_set(Ctx& c) {
  return find_as<SetObject>(c, c.arg(1), kSet);
}

std::mt19937_64& rng() {
  // One event-loop thread: no sharing. Seeded once per process.
  static std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

void cmd_sadd(Ctx& c) {
  SetPtr s = find_or_create_as<SetObject>(c, c.arg(1), kSet);
  std::int64_t added = 0;
  for (std::size_t i = 2; i < c.argc(); ++i) added += s->add(c.arg(i)) ? 1 : 0;
  c.out.integer(added);
}

void cmd_srem(Ctx& c) {
  SetPtr s = find_set(c);
  std::int64_t removed = 0;
  if (s) {
    for (std::size_t i = 2; i < c.argc(); ++i) removed += s->discard(c.arg(i)) ? 1 : 0;
    delete_if_emptied(c.engine, *s);
  }
  c.out.integer(removed);
}

void cmd_spop(Ctx& c) {
  if (c.argc() > 3) syntax_error();
  const bool counted = c.argc() == 3;
  const std::int64_t count = counted ? count_arg(c.arg(2)) : 1;
  SetPtr s = find_set(c);
  if (!counted) {
    std::optional<std::string> m;
    if (s) m = s->pop();
    if (m) {
      c.out.bulk(*m);
    } else {
      c.out.null();
    }
  } else {
    const std::size_t n = s ? std::min(static_cast<std::size_t>(count), s->size()) : 0;
    c.out.set(n);
    for (std::size_t i = 0; i < n; ++i) c.out.bulk(*s->pop());
  }
  if (s) delete_if_emptied(c.engine, *s);
}

void cmd_sismember(Ctx& c) {
  SetPtr s = find_set(c);
  c.out.integer(s && s->contains(c.arg(2)) ? 1 : 0);
}

void cmd_smismember(Ctx& c) {
  SetPtr s = find_set(c);
  c.out.array(c.argc() - 2);
  for (std::size_t i = 2; i < c.argc(); ++i) c.out.integer(s && s->contains(c.arg(i)) ? 1 : 0);
}

void cmd_scard(Ctx& c) {
  SetPtr s = find_set(c);
  c.out.integer(s ? static_cast<std::int64_t>(s->size()) : 0);
}

void cmd_smembers(Ctx& c) {
  SetPtr s = find_set(c);
  if (!s) {
    c.out.set(0);
    return;
  }
  c.out.set(s->size());
  s->for_each([&](std::string_view m) { c.out.bulk(m); });
}

void cmd_srandmember(Ctx& c) {
  if (c.argc() > 3) syntax_error();
  const bool counted = c.argc() == 3;
  const std::int64_t count = counted ? int_arg(c.arg(2)) : 1;
  SetPtr s = find_set(c);
  // The set offers no random access: gather views of its members, O(size).
  std::vector<std::string_view> members;
  if (s) {
    members.reserve(s->size());
    s->for_each([&](std::string_view m) { members.push_back(m); });
  }
  if (!counted) {
    if (members.empty()) {
      c.out.null();
    } else {
      std::uniform_int_distribution<std::size_t> pick(0, members.size() - 1);
      c.out.bulk(members[pick(rng())]);
    }
    return;
  }
  if (count < 0) {
    // A negative count may repeat members and returns exactly -count of them.
    const std::uint64_t n = members.empty() ? 0 : 0 - static_cast<std::uint64_t>(count);
    if (n > 1'048'576) fail(ErrorCode::err, "value is out of range");
    c.out.array(n);
    if (n == 0) return;
    std::uniform_int_distribution<std::size_t> pick(0, members.size() - 1);
    for (std::uint64_t i = 0; i < n; ++i) c.out.bulk(members[pick(rng())]);
    return;
  }
  // Distinct members: a partial Fisher-Yates shuffle.
  const std::size_t n = std::min(static_cast<std::size_t>(count), members.size());
  for (std::size_t i = 0; i < n; ++i) {
    std::uniform_int_distribution<std::size_t> pick(i, members.size() - 1);
    std::swap(members[i], members[pick(rng())]);
  }
  c.out.array(n);
  for (std::size_t i = 0; i < n; ++i) c.out.bulk(members[i]);
}

}  // namespace

void register_set_commands(Engine& e) {
  using namespace flag;
  auto add = [&](std::string name, int arity, std::uint32_t flags, Handler h, std::string summary,
                 std::string args) {
    e.register_command(
        spec(std::move(name), arity, flags, std::move(h), std::move(summary), std::move(args)));
  };
  add("SADD", -3, write | fast | grows, cmd_sadd, "Redis SADD; replies how many members are new",
      "key member [member ...]");
  add("SREM", -3, write | fast, cmd_srem, "Redis SREM; an emptied set is deleted",
      "key member [member ...]");
  add("SPOP", -2, write | fast, cmd_spop, "Redis SPOP [count]", "key [count]");
  add("SISMEMBER", 3, readonly | fast, cmd_sismember, "Redis SISMEMBER", "key member");
  add("SMISMEMBER", -3, readonly | fast, cmd_smismember, "Redis SMISMEMBER",
      "key member [member ...]");
  add("SCARD", 2, readonly | fast, cmd_scard, "Redis SCARD", "key");
  add("SMEMBERS", 2, readonly, cmd_smembers, "Redis SMEMBERS (a set in RESP3)", "key");
  add("SRANDMEMBER", -2, readonly, cmd_srandmember, "Redis SRANDMEMBER [count]", "key [count]");
}

}  // namespace procshare::server::redis

// PROTOCOL.md §6 lock, rlock: LOCK.ACQUIRE (a fencing token, or :0 when it
// timed out), LOCK.RELEASE, LOCK.LOCKED. The state and its rules live in
// types/lock.hpp; this file parses arguments, parks, and writes replies.
// A parked LOCK.ACQUIRE: timeout -> :0; disconnect -> it just leaves the
// queue (it never got the lock); DEL -> -NOTFOUND.
#include "../types/lock.hpp"

#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

LockCore& core_of(const std::shared_ptr<Object>& obj) {
  return static_cast<LockObject&>(*obj).core();
}

void cmd_acquire(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2);
  sync::wait_for_integer(c, core_of(c.object).waiters(), opts,
                         [obj = c.object, s = &c.session](bool queued) -> std::int64_t {
                           std::int64_t token = core_of(obj).acquire_now(s->id(), 1, queued);
                           // Held, so that the lock is freed if this client vanishes.
                           if (token) s->hold(obj);
                           return token;
                         });
}

void cmd_release(Ctx& c) {
  core_of(c.object).release(c.session.id());
  c.out.ok();
}

void cmd_locked(Ctx& c) {
  c.out.boolean(core_of(c.object).locked());
}

std::unique_ptr<Object> make_lock(Engine& e, std::span<const std::string_view> options,
                                  bool reentrant) {
  sync::no_options(reentrant ? "rlock" : "lock", options);
  return std::make_unique<LockObject>(reentrant, &e.stats().abandoned_locks);
}

}  // namespace

void register_lock_types(Engine& e) {
  e.register_type(
      {"lock",
       [](Engine& e, std::span<const std::string_view> o) { return make_lock(e, o, false); },
       "A mutual-exclusion lock any client may release (Python's Lock)"});
  e.register_type(
      {"rlock",
       [](Engine& e, std::span<const std::string_view> o) { return make_lock(e, o, true); },
       "A reentrant lock only its owner may release (Python's RLock)"});

  const std::vector<std::string> types{"lock", "rlock"};
  using namespace flag;
  e.register_command({"LOCK.ACQUIRE", -2, write | blocking, cmd_acquire,
                      "Acquire the lock; replies a fencing token, or 0 on timeout",
                      "lock [TIMEOUT seconds | NOWAIT]", types, "lock"});
  e.register_command({"LOCK.RELEASE", 2, write | fast, cmd_release,
                      "Release the lock (an rlock only by its owner)", "lock", types, "lock"});
  e.register_command(
      {"LOCK.LOCKED", 2, readonly | fast, cmd_locked, "Whether the lock is held", "lock", types});
}

}  // namespace procshare::server

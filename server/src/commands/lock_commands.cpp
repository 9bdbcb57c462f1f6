// PROTOCOL.md §6 lock, rlock: LOCK.ACQUIRE (a fencing token, or :0 when it
// timed out), LOCK.RELEASE, LOCK.LOCKED. The state and its rules live in
// types/lock.hpp; this file reads arguments, waits, and encodes replies.
// A parked LOCK.ACQUIRE: timeout -> :0; disconnect -> it just leaves the
// queue (it never got the lock); DEL -> -NOTFOUND.
// Ownership is per incarnation: a client that acquired a lock which was then
// deleted, overwritten or flushed gets -NOTOWNER from LOCK.RELEASE of the
// new lock of that name (it means the old one), even for a plain `lock`.
// LEASE s puts the hold on a lease (LOCK.EXTEND renews it); WITHSTATE
// replies [token, previous owner died] instead of the token.
#include "../types/lock.hpp"

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

LockCore& core_of(const std::shared_ptr<Object>& obj) {
  return static_cast<LockObject&>(*obj).core();
}

void cmd_acquire(Ctx& c) {
  ArgReader r(c.args, 2);
  sync::AcquireOptions opts = sync::acquire_options(r);
  r.finish();
  auto& lock = c.obj<LockObject>();
  const auto lease = opts.lease ? std::chrono::duration_cast<Clock::duration>(*opts.lease)
                                : Clock::duration::zero();
  c.wait(lock.core().waiters(), opts.wait,
         opts.with_state ? sync::reply_with_state : sync::reply_integer,
         [lock = &lock, s = &c.session, lease](WaitOutcome& o, Wake w) {
           LockCore& core = lock->core();
           o.integer = core.acquire_now(s->id(), 1, w.parked, &o.owner_died);
           if (!o.integer) return false;
           // Held, so that the lock is freed if this client vanishes.
           s->hold_lock(*lock, true);
           if (lease > Clock::duration::zero()) core.set_lease(s->id(), lease);
           return true;
         });
}

// LOCK.EXTEND l s: the holder's lease now ends s from now. :1, or NOTOWNER.
void cmd_extend(Ctx& c) {
  ArgReader r(c.args, 2);
  auto lease = r.next_seconds("the lease");
  r.finish();
  auto& lock = c.obj<LockObject>();
  lock.core().set_lease(c.session.id(), std::chrono::duration_cast<Clock::duration>(lease));
  c.out.integer(1);
}

void cmd_release(Ctx& c) {
  auto& lock = c.obj<LockObject>();
  LockCore& core = lock.core();
  const bool mine = core.held_by(c.session.id());
  if (!mine && core.locked() && c.session.holds_earlier_incarnation(lock)) {
    fail(ErrorCode::notowner,
         "this client acquired an earlier lock of this name, deleted since; it does not hold "
         "this one");
  }
  core.release(c.session.id());
  if (mine) c.session.hold_lock(lock, false);
  c.out.ok();
}

void cmd_locked(Ctx& c) {
  c.out.boolean(core_of(c.object()).locked());
}

std::unique_ptr<Object> make_lock(Engine& e, std::span<const std::string_view> options,
                                  bool reentrant) {
  sync::no_options(reentrant ? "rlock" : "lock", options);
  return std::make_unique<LockObject>(reentrant, &e.stats().abandoned_locks, &e.fencing_tokens());
}

}  // namespace

void register_lock_types(Engine& e) {
  e.register_type({.name = "lock",
                   .make = [](Engine& e, auto o) { return make_lock(e, o, false); },
                   .summary = "A mutual-exclusion lock any client may release (Python's Lock)"});
  e.register_type({.name = "rlock",
                   .make = [](Engine& e, auto o) { return make_lock(e, o, true); },
                   .summary = "A reentrant lock only its owner may release (Python's RLock)"});

  const std::vector<std::string> types{"lock", "rlock"};
  using namespace flag;
  e.register_command({.name = "LOCK.ACQUIRE",
                      .arity = -2,
                      .flags = write | blocking,
                      .handler = cmd_acquire,
                      .summary = "Acquire the lock; replies a fencing token, or 0 on timeout",
                      .args = "lock [TIMEOUT seconds | NOWAIT] [LEASE seconds] [WITHSTATE]",
                      .types = types,
                      .create_type = "lock"});
  e.register_command({.name = "LOCK.RELEASE",
                      .arity = 2,
                      .flags = write | fast,
                      .handler = cmd_release,
                      .summary = "Release the lock (an rlock only by its owner)",
                      .args = "lock",
                      .types = types,
                      .create_type = "lock"});
  e.register_command({.name = "LOCK.EXTEND",
                      .arity = 3,
                      .flags = write | fast,
                      .handler = cmd_extend,
                      .summary = "Renew the holder's lease: it ends `seconds` from now; replies 1",
                      .args = "lock seconds",
                      .types = types});
  e.register_command({.name = "LOCK.LOCKED",
                      .arity = 2,
                      .flags = readonly | fast,
                      .handler = cmd_locked,
                      .summary = "Whether the lock is held",
                      .args = "lock",
                      .types = types});
}

}  // namespace procshare::server

// PROTOCOL.md §6 condition: COND.ACQUIRE (:1, or :0 on timeout), COND.RELEASE,
// COND.WAIT (:1 notified, :0 timed out; the lock is reacquired before either
// reply), COND.NOTIFY [n], COND.NOTIFYALL. WAIT, NOTIFY and NOTIFYALL by a
// client that does not hold the lock reply -NOTOWNER, as Python raises
// RuntimeError.
//
// A COND.WAIT waiter lives in two queues in turn: the condition's own queue
// until it is notified or its deadline passes, then the lock's queue until it
// gets the lock back (see types/condition.hpp). One try_complete serves both:
// it never finishes while the waiter is still in the condition's queue.
// Timeout -> go on to reacquire, then :0; disconnect -> it leaves whichever
// queue it is in (it holds nothing while waiting); DEL of the condition (or
// of its named lock, while reacquiring) -> -NOTFOUND.
#include "../types/condition.hpp"

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/session.hpp"
#include "procshare/server/text.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

ConditionObject& cond_of(const std::shared_ptr<Object>& obj) {
  return static_cast<ConditionObject&>(*obj);
}

void check_owner(ConditionObject& cond, const Session& s, std::string_view what) {
  if (!cond.lock().held_by(s.id())) {
    cond.lock().check_not_expired(s.id());
    fail(ErrorCode::notowner, fmt::format("cannot {} un-acquired lock", what));
  }
}

void cmd_acquire(Ctx& c) {
  ArgReader r(c.args, 2);
  sync::AcquireOptions opts = sync::acquire_options(r, /*allow_nowait=*/false);
  r.finish();
  const auto& obj = c.object();
  ConditionObject& cond = cond_of(obj);
  const auto lease = opts.lease ? std::chrono::duration_cast<Clock::duration>(*opts.lease)
                                : Clock::duration::zero();
  c.wait(cond.lock().waiters(), opts.wait,
         opts.with_state ? sync::reply_with_state : sync::reply_integer,
         [obj, holder = cond.lock_holder(obj), s = &c.session, lease](WaitOutcome& o, Wake w) {
           LockCore& lock = cond_of(obj).lock();
           if (!lock.acquire_now(s->id(), 1, w.parked, &o.owner_died)) return false;
           s->hold(holder);
           if (lease > Clock::duration::zero()) lock.set_lease(s->id(), lease);
           o.integer = 1;
           return true;
         });
}

// COND.EXTEND c s: the holder's lease on the condition's lock ends s from now.
void cmd_extend(Ctx& c) {
  ArgReader r(c.args, 2);
  auto lease = r.next_seconds("the lease");
  r.finish();
  cond_of(c.object())
      .lock()
      .set_lease(c.session.id(), std::chrono::duration_cast<Clock::duration>(lease));
  c.out.integer(1);
}

void cmd_release(Ctx& c) {
  ConditionObject& cond = cond_of(c.object());
  check_owner(cond, c.session, "release");
  cond.lock().release(c.session.id());
  c.out.ok();
}

void cmd_wait(Ctx& c) {
  ArgReader r(c.args, 2);
  WaitOptions opts = r.wait_options(/*allow_nowait=*/false);
  r.finish();
  const auto& obj = c.object();
  ConditionObject& cond = cond_of(obj);
  check_owner(cond, c.session, "wait on");
  LockCore& lock = cond.lock();
  std::shared_ptr<Object> holder = cond.lock_holder(obj);
  const Clock::duration lease = lock.lease();                   // renewed on reacquiring
  const std::int64_t depth = lock.release_all(c.session.id());  // the rlock depth to restore
  auto timed_out = std::make_shared<bool>(opts.nowait());       // it then replies 0
  auto w = std::make_unique<Waiter>();
  // Finishes only once notified (out of the condition's queue) and holding
  // the lock again. A wait that timed out first still replies 0.
  w->try_complete = [obj, holder, depth, lease, timed_out, s = &c.session](Waiter& self, Wake) {
    ConditionObject& cond = cond_of(obj);
    if (self.waiting_in(cond.waiters())) return false;  // not notified yet
    if (!cond.lock().acquire_now(s->id(), depth, /*queued=*/true)) return false;
    s->hold(holder);
    if (lease > Clock::duration::zero()) cond.lock().set_lease(s->id(), lease);
    self.outcome.integer = *timed_out ? 0 : 1;
    return true;
  };
  // Timed out: the wait is over but the lock must be reacquired first, with
  // no deadline (Python's wait() does the same). Take it now if it is free,
  // else queue for it and keep waiting.
  w->on_timeout = [obj, holder, depth, lease, timed_out, s = &c.session](Waiter& self) {
    ConditionObject& cond = cond_of(obj);
    self.deadline = Clock::time_point::max();
    if (!self.waiting_in(cond.waiters())) return false;  // notified: reacquiring already
    *timed_out = true;
    if (cond.lock().acquire_now(s->id(), depth)) {
      s->hold(holder);
      if (lease > Clock::duration::zero()) cond.lock().set_lease(s->id(), lease);
      self.outcome.integer = 0;
      self.outcome.status = WaitStatus::done;
      return true;
    }
    cond.waiters().move_to(self, cond.lock().waiters());
    return false;
  };
  if (opts.nowait()) {  // TIMEOUT 0: timed out at once; only the reacquire is left
    if (lock.acquire_now(c.session.id(), depth)) {
      c.session.hold(holder);
      if (lease > Clock::duration::zero()) lock.set_lease(c.session.id(), lease);
      return sync::reply_integer(c.out, {.status = WaitStatus::timed_out});
    }
    c.park(std::move(w), lock.waiters(), sync::reply_integer);
    return;
  }
  w->deadline = opts.deadline();
  c.park(std::move(w), cond.waiters(), sync::reply_integer);
}

void cmd_notify(Ctx& c) {
  ArgReader r(c.args, 2);
  std::int64_t n = r.more() ? r.next_int() : 1;
  if (n < 0) r.error(ErrorCode::valueerror, "n must be >= 0");
  r.finish();
  ConditionObject& cond = cond_of(c.object());
  check_owner(cond, c.session, "notify on");
  cond.notify(n);
  c.out.ok();
}

void cmd_notifyall(Ctx& c) {
  ConditionObject& cond = cond_of(c.object());
  check_owner(cond, c.session, "notify on");
  cond.notify(-1);
  c.out.ok();
}

// LOCK name: the named lock or rlock, created as a `lock` when missing. Runs
// after every option was checked (make_condition), so a failed CREATE
// leaves no lock behind.
std::shared_ptr<LockObject> find_or_make_lock(Engine& e, std::string_view name) {
  text::check_name(name);
  std::shared_ptr<Object> obj = e.objects().find(name);
  if (obj) {
    auto lock = std::dynamic_pointer_cast<LockObject>(obj);
    if (!lock) {
      fail(ErrorCode::wrongtype,
           fmt::format("LOCK names a {}, not a lock or rlock", obj->type_name()));
    }
    return lock;
  }
  Engine::check_implicit_name(name);
  obj = e.make_object("lock", {});
  e.add_object(name, obj, false);
  return std::static_pointer_cast<LockObject>(obj);
}

std::unique_ptr<Object> make_condition(Engine& e, std::span<const std::string_view> options) {
  std::optional<std::string_view> lock_name;
  ArgReader r(options, 0);
  while (r.more()) {
    if (r.accept("LOCK")) {
      lock_name = r.next();
      if (!r.failed() && !text::valid_name(*lock_name)) {
        r.error(ErrorCode::err, "object names are 1 to 512 bytes");
      }
    } else {
      r.unknown_option("condition");
    }
  }
  r.finish();
  std::shared_ptr<LockObject> named;
  if (lock_name) named = find_or_make_lock(e, *lock_name);
  return std::make_unique<ConditionObject>(std::move(named), &e.stats().abandoned_locks,
                                           &e.fencing_tokens());
}

CommandSpec cond_command(std::string name, int arity, std::uint32_t flags, Handler handler,
                         std::string summary, std::string args) {
  return {.name = std::move(name),
          .arity = arity,
          .flags = flags,
          .handler = std::move(handler),
          .summary = std::move(summary),
          .args = std::move(args),
          .types = {"condition"},
          .create_type = "condition"};
}

}  // namespace

void register_condition_type(Engine& e) {
  e.register_type(
      {.name = "condition",
       .make = make_condition,
       .summary = "A condition variable over its own rlock or a named lock (LOCK name)"});

  using namespace flag;
  e.register_command(cond_command("COND.ACQUIRE", -2, write | blocking, cmd_acquire,
                                  "Acquire the condition's lock; replies 1, or 0 on timeout",
                                  "condition [TIMEOUT seconds] [LEASE seconds] [WITHSTATE]"));
  e.register_command(cond_command("COND.EXTEND", 3, write | fast, cmd_extend,
                                  "Renew the holder's lease on the lock; replies 1",
                                  "condition seconds"));
  e.register_command(cond_command("COND.RELEASE", 2, write | fast, cmd_release,
                                  "Release the condition's lock (its owner only)", "condition"));
  e.register_command(
      cond_command("COND.WAIT", -2, write | blocking, cmd_wait,
                   "Release the lock, wait for a notify, reacquire; replies 1, or 0 on timeout",
                   "condition [TIMEOUT seconds]"));
  e.register_command(cond_command("COND.NOTIFY", -2, write | fast, cmd_notify,
                                  "Wake up to n waiters (1)", "condition [n]"));
  e.register_command(
      cond_command("COND.NOTIFYALL", 2, write, cmd_notifyall, "Wake every waiter", "condition"));
}

}  // namespace procshare::server

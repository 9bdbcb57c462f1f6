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

#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/session.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

ConditionObject& cond_of(const std::shared_ptr<Object>& obj) {
  return static_cast<ConditionObject&>(*obj);
}

void check_owner(Ctx& c, std::string_view what) {
  if (!cond_of(c.object).lock().held_by(c.session.id())) {
    fail(ErrorCode::notowner, fmt::format("cannot {} un-acquired lock", what));
  }
}

void cmd_acquire(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2, /*allow_nowait=*/false);
  ConditionObject& cond = cond_of(c.object);
  sync::wait_for_integer(c, cond.lock().waiters(), opts,
                         [obj = c.object, holder = cond.lock_holder(c.object),
                          s = &c.session](bool queued) -> std::int64_t {
                           if (!cond_of(obj).lock().acquire_now(s->id(), 1, queued)) return 0;
                           s->hold(holder);
                           return 1;
                         });
}

void cmd_release(Ctx& c) {
  check_owner(c, "release");
  cond_of(c.object).lock().release(c.session.id());
  c.out.ok();
}

// What a COND.WAIT remembers between its two queues.
struct CondWait {
  std::int64_t depth = 1;  // the rlock depth to restore
  bool timed_out = false;
};

void cmd_wait(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2, /*allow_nowait=*/false);
  check_owner(c, "wait on");
  ConditionObject& cond = cond_of(c.object);
  LockCore& lock = cond.lock();
  std::shared_ptr<Object> holder = cond.lock_holder(c.object);
  auto state = std::make_shared<CondWait>();
  state->depth = lock.release_all(c.session.id());  // may hand the lock to a waiter

  Waiter w;
  w.try_complete = [obj = c.object, holder, state, s = &c.session](ReplyWriter& out) {
    ConditionObject& cond = cond_of(obj);
    Waiter* self = s->waiter();
    if (self && self->queue == &cond.waiters()) return false;  // not notified yet
    if (!cond.lock().acquire_now(s->id(), state->depth, /*queued=*/true)) return false;
    s->hold(holder);
    out.integer(state->timed_out ? 0 : 1);
    return true;
  };
  // Timed out: the wait is over but the lock must be reacquired first, with
  // no deadline (Python's wait() does the same). Take it now if it is free,
  // else queue for it and keep waiting.
  w.on_timeout = [obj = c.object, holder, state, s = &c.session](ReplyWriter& out) {
    ConditionObject& cond = cond_of(obj);
    Waiter* self = s->waiter();
    self->deadline = Clock::time_point::max();
    if (self->queue != &cond.waiters()) return false;  // notified: reacquiring already
    state->timed_out = true;
    if (cond.lock().acquire_now(s->id(), state->depth)) {
      s->hold(holder);
      out.integer(0);
      return true;
    }
    cond.waiters().move_to(*self, cond.lock().waiters());
    return false;
  };

  if (opts.nowait()) {  // TIMEOUT 0: timed out at once; only the reacquire is left
    state->timed_out = true;
    if (lock.acquire_now(c.session.id(), state->depth)) {
      c.session.hold(holder);
      c.out.integer(0);
      return;
    }
    c.park(lock.waiters(), std::move(w));
    return;
  }
  w.deadline = opts.deadline();
  c.park(cond.waiters(), std::move(w));
}

void cmd_notify(Ctx& c) {
  if (c.argc() > 3) fail(ErrorCode::err, "syntax error");
  std::int64_t n = c.argc() == 3 ? parse_int(c.arg(2)) : 1;
  if (n < 0) fail(ErrorCode::valueerror, "n must be >= 0");
  check_owner(c, "notify on");
  cond_of(c.object).notify(n);
  c.out.ok();
}

void cmd_notifyall(Ctx& c) {
  check_owner(c, "notify on");
  cond_of(c.object).notify(-1);
  c.out.ok();
}

// LOCK name: the named lock or rlock, created as a `lock` when missing.
std::shared_ptr<LockObject> find_or_make_lock(Engine& e, std::string_view name) {
  if (name.empty() || name.size() > 512) fail(ErrorCode::err, "object names are 1 to 512 bytes");
  std::shared_ptr<Object> obj = e.objects().find(name);
  if (!obj) {
    obj = e.make_object("lock", {});
    e.add_object(name, obj, false);
  }
  auto lock = std::dynamic_pointer_cast<LockObject>(obj);
  if (!lock) {
    fail(ErrorCode::wrongtype,
         fmt::format("LOCK names a {}, not a lock or rlock", obj->type_name()));
  }
  return lock;
}

std::unique_ptr<Object> make_condition(Engine& e, std::span<const std::string_view> options) {
  std::optional<std::string_view> lock_name;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (keyword_is(options[i], "LOCK") && i + 1 < options.size()) {
      lock_name = options[++i];
    } else {
      sync::bad_option("condition", options[i]);
    }
  }
  std::shared_ptr<LockObject> named;
  if (lock_name) named = find_or_make_lock(e, *lock_name);
  return std::make_unique<ConditionObject>(std::move(named), &e.stats().abandoned_locks);
}

}  // namespace

void register_condition_type(Engine& e) {
  e.register_type({"condition", make_condition,
                   "A condition variable over its own rlock or a named lock (LOCK name)"});

  const std::vector<std::string> types{"condition"};
  using namespace flag;
  e.register_command({"COND.ACQUIRE", -2, write | blocking, cmd_acquire,
                      "Acquire the condition's lock; replies 1, or 0 on timeout",
                      "condition [TIMEOUT seconds]", types, "condition"});
  e.register_command({"COND.RELEASE", 2, write | fast, cmd_release,
                      "Release the condition's lock (its owner only)", "condition", types,
                      "condition"});
  e.register_command({"COND.WAIT", -2, write | blocking, cmd_wait,
                      "Release the lock, wait for a notify, reacquire; replies 1, or 0 on timeout",
                      "condition [TIMEOUT seconds]", types, "condition"});
  e.register_command({"COND.NOTIFY", -2, write | fast, cmd_notify, "Wake up to n waiters (1)",
                      "condition [n]", types, "condition"});
  e.register_command({"COND.NOTIFYALL", 2, write, cmd_notifyall, "Wake every waiter", "condition",
                      types, "condition"});
}

}  // namespace procshare::server

// PROTOCOL.md §6 semaphore, boundedsemaphore: SEM.ACQUIRE (:1, or :0 when it
// timed out), SEM.RELEASE [n], SEM.VALUE. Permits are booked per client (see
// types/semaphore.hpp) so a vanished client's permits come back and only a
// holder releases -- unless the semaphore was made UNOWNED.
// A parked SEM.ACQUIRE: timeout -> :0; disconnect -> it just leaves the
// queue; DEL -> -NOTFOUND.
#include "../types/semaphore.hpp"

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

SemaphoreObject& sem_of(const std::shared_ptr<Object>& obj) {
  return static_cast<SemaphoreObject&>(*obj);
}

void cmd_acquire(Ctx& c) {
  ArgReader r(c.args, 2);
  sync::AcquireOptions opts = sync::acquire_options(r);
  r.finish();
  auto& sem = c.obj<SemaphoreObject>();
  if (opts.lease && sem.unowned()) {
    fail(ErrorCode::valueerror, "an UNOWNED semaphore books no permits to lease");
  }
  const auto lease = opts.lease ? std::chrono::duration_cast<Clock::duration>(*opts.lease)
                                : Clock::duration::zero();
  c.wait(sem.waiters(), opts.wait, opts.with_state ? sync::reply_with_state : sync::reply_integer,
         [sem = &sem, s = &c.session, lease](WaitOutcome& o, Wake w) {
           if (!sem->acquire_now(s->id(), w.parked, &o.owner_died)) return false;
           if (!sem->unowned()) s->hold(*sem);  // the permit comes back if it vanishes
           if (lease > Clock::duration::zero()) sem->set_lease(s->id(), lease);
           o.integer = 1;
           return true;
         });
}

// SEM.EXTEND s seconds: every permit this client holds is on a lease that
// ends `seconds` from now. :1, or NOTOWNER when it holds none.
void cmd_extend(Ctx& c) {
  ArgReader r(c.args, 2);
  auto lease = r.next_seconds("the lease");
  r.finish();
  sem_of(c.object()).set_lease(c.session.id(), std::chrono::duration_cast<Clock::duration>(lease));
  c.out.integer(1);
}

void cmd_release(Ctx& c) {
  ArgReader r(c.args, 2);
  std::int64_t n = r.more() ? r.next_int() : 1;
  r.finish();
  sem_of(c.object()).release(c.session.id(), n);
  c.out.ok();
}

void cmd_value(Ctx& c) {
  c.out.integer(sem_of(c.object()).value());
}

std::unique_ptr<Object> make_semaphore(std::span<const std::string_view> options, bool bounded) {
  std::string_view type = bounded ? "boundedsemaphore" : "semaphore";
  std::int64_t value = 1;  // Python's default
  bool unowned = false;
  ArgReader r(options, 0);
  while (r.more()) {
    if (r.accept("VALUE")) {
      value = r.next_int_at_least("VALUE", 0);
    } else if (r.accept("UNOWNED")) {
      unowned = true;
    } else {
      r.unknown_option(type);
    }
  }
  r.finish();
  return std::make_unique<SemaphoreObject>(value, bounded, unowned);
}

}  // namespace

void register_semaphore_types(Engine& e) {
  e.register_type(
      {.name = "semaphore",
       .make = [](Engine&, auto o) { return make_semaphore(o, false); },
       .summary = "A counting semaphore (Python's Semaphore); VALUE n, default 1; UNOWNED"});
  e.register_type({.name = "boundedsemaphore",
                   .make = [](Engine&, auto o) { return make_semaphore(o, true); },
                   .summary = "A semaphore that cannot be released past its initial value"});

  const std::vector<std::string> types{"semaphore", "boundedsemaphore"};
  using namespace flag;
  e.register_command({.name = "SEM.ACQUIRE",
                      .arity = -2,
                      .flags = write | blocking,
                      .handler = cmd_acquire,
                      .summary = "Take a permit; replies 1, or 0 on timeout",
                      .args = "semaphore [TIMEOUT seconds | NOWAIT] [LEASE seconds] [WITHSTATE]",
                      .types = types,
                      .create_type = "semaphore"});
  e.register_command({.name = "SEM.RELEASE",
                      .arity = -2,
                      .flags = write | fast,
                      .handler = cmd_release,
                      .summary = "Give back n permits (1) this client holds (any, if UNOWNED)",
                      .args = "semaphore [n]",
                      .types = types,
                      .create_type = "semaphore"});
  e.register_command({.name = "SEM.EXTEND",
                      .arity = 3,
                      .flags = write | fast,
                      .handler = cmd_extend,
                      .summary = "Put every permit this client holds on a lease ending in "
                                 "`seconds`; replies 1",
                      .args = "semaphore seconds",
                      .types = types});
  e.register_command({.name = "SEM.VALUE",
                      .arity = 2,
                      .flags = readonly | fast,
                      .handler = cmd_value,
                      .summary = "The free permits",
                      .args = "semaphore",
                      .types = types});
}

}  // namespace procshare::server

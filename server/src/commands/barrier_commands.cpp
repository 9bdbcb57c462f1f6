// PROTOCOL.md §6 barrier: BARRIER.WAIT (the arrival index, or -BROKEN),
// BARRIER.RESET, BARRIER.ABORT, BARRIER.PARTIES, BARRIER.WAITING,
// BARRIER.BROKEN. A barrier has no default party count, so it is never
// created implicitly.
// A parked BARRIER.WAIT: timeout -> -BROKEN and the barrier breaks;
// disconnect -> the barrier breaks for the others; DEL -> -NOTFOUND.
#include "../types/barrier.hpp"

#include "dump_util.hpp"
#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/session.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

using State = BarrierObject::Arrival::State;

BarrierObject& barrier_of(const std::shared_ptr<Object>& obj) {
  return static_cast<BarrierObject&>(*obj);
}

void reply_wait(ReplyWriter& out, const WaitOutcome& o) {
  if (o.status == WaitStatus::done) {
    out.integer(o.integer);
  } else {  // broken, or timed out (which breaks the barrier)
    write_error(out, ErrorCode::broken, "barrier is broken");
  }
}

void cmd_wait(Ctx& c) {
  ArgReader r(c.args, 2);
  WaitOptions opts = r.wait_options(/*allow_nowait=*/false);
  r.finish();
  const auto& obj = c.object();
  BarrierObject& b = barrier_of(obj);
  auto arrival = b.arrive();
  if (arrival->state == State::passed) {
    return reply_wait(c.out, {.status = WaitStatus::done, .integer = arrival->index});
  }
  if (opts.nowait()) {  // TIMEOUT 0: timed out at once, which breaks the barrier
    b.abort();
    return reply_wait(c.out, {.status = WaitStatus::broken});
  }
  auto w = std::make_unique<Waiter>();
  // Each arrival's own record says how its cycle ended.
  w->try_complete = [arrival](Waiter& self, Wake) {
    if (arrival->state == State::waiting) return false;
    self.outcome.status = arrival->state == State::passed ? WaitStatus::done : WaitStatus::broken;
    self.outcome.integer = arrival->index;
    return true;
  };
  // A timeout breaks the barrier, as in Python; this waiter's own outcome
  // is set first, so breaking the barrier does not complete it twice.
  w->on_timeout = [obj, arrival](Waiter& self) {
    self.outcome.status = WaitStatus::broken;
    barrier_of(obj).abort();
    return true;
  };
  // A party that leaves while waiting breaks the barrier for the others.
  w->on_abandon = [obj, arrival](Waiter&) {
    if (arrival->state == State::waiting) barrier_of(obj).abort();
  };
  w->deadline = opts.deadline();
  c.park(std::move(w), b.waiters(), reply_wait);
}

void cmd_reset(Ctx& c) {
  barrier_of(c.object()).reset();
  c.out.ok();
}

void cmd_abort(Ctx& c) {
  barrier_of(c.object()).abort();
  c.out.ok();
}

void cmd_parties(Ctx& c) {
  c.out.integer(barrier_of(c.object()).parties());
}

void cmd_waiting(Ctx& c) {
  c.out.integer(barrier_of(c.object()).waiting());
}

void cmd_broken(Ctx& c) {
  c.out.boolean(barrier_of(c.object()).broken());
}

std::unique_ptr<Object> make_barrier(std::span<const std::string_view> options) {
  std::int64_t parties = 0;
  ArgReader r(options, 0);
  while (r.more()) {
    if (r.accept("PARTIES")) {
      parties = r.next_int_at_least("PARTIES", 1);
    } else {
      r.unknown_option("barrier");
    }
  }
  if (parties == 0) r.error(ErrorCode::err, "barrier needs PARTIES n");
  r.finish();
  return std::make_unique<BarrierObject>(parties);
}

CommandSpec barrier_command(std::string name, int arity, std::uint32_t flags, Handler handler,
                            std::string summary, std::string args) {
  return {.name = std::move(name),
          .arity = arity,
          .flags = flags,
          .handler = std::move(handler),
          .summary = std::move(summary),
          .args = std::move(args),
          .types = {"barrier"}};
}

}  // namespace

namespace {
// Kept: the parties; a restart resets the barrier.
void dump_barrier(const Object& obj, const TypeSpec::Emit& emit) {
  dump::create(emit, obj,
               {"PARTIES", std::to_string(static_cast<const BarrierObject&>(obj).parties())});
}
}  // namespace

void register_barrier_type(Engine& e) {
  e.register_type({.name = "barrier",
                   .make = [](Engine&, auto o) { return make_barrier(o); },
                   .summary = "A barrier for PARTIES n clients (Python's Barrier)",
                   .dump = dump_barrier});

  using namespace flag;
  e.register_command(barrier_command("BARRIER.WAIT", -2, write | transient | blocking, cmd_wait,
                                     "Wait for all parties; replies the arrival index, or BROKEN",
                                     "barrier [TIMEOUT seconds]"));
  e.register_command(
      barrier_command("BARRIER.RESET", 2, write | transient, cmd_reset,
                      "Fail the current waiters with BROKEN and make it usable again", "barrier"));
  e.register_command(barrier_command("BARRIER.ABORT", 2, write | transient, cmd_abort,
                                     "Break the barrier: waiters and later waits get BROKEN",
                                     "barrier"));
  e.register_command(barrier_command("BARRIER.PARTIES", 2, readonly | fast, cmd_parties,
                                     "The number of parties", "barrier"));
  e.register_command(barrier_command("BARRIER.WAITING", 2, readonly | fast, cmd_waiting,
                                     "The number of parties waiting", "barrier"));
  e.register_command(barrier_command("BARRIER.BROKEN", 2, readonly | fast, cmd_broken,
                                     "Whether the barrier is broken", "barrier"));
}

}  // namespace procshare::server

// PROTOCOL.md §6 barrier: BARRIER.WAIT (the arrival index, or -BROKEN),
// BARRIER.RESET, BARRIER.ABORT, BARRIER.PARTIES, BARRIER.WAITING,
// BARRIER.BROKEN. A barrier has no default party count, so it is never
// created implicitly.
// A parked BARRIER.WAIT: timeout -> -BROKEN and the barrier breaks;
// disconnect -> the barrier breaks for the others; DEL -> -NOTFOUND.
#include "../types/barrier.hpp"

#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/session.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

BarrierObject& barrier_of(const std::shared_ptr<Object>& obj) {
  return static_cast<BarrierObject&>(*obj);
}

void reply_broken(ReplyWriter& out) {
  out.error("BROKEN", "barrier is broken");
}

void cmd_wait(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2, /*allow_nowait=*/false);
  BarrierObject& b = barrier_of(c.object);
  auto arrival = b.arrive();
  if (arrival->state == BarrierObject::Arrival::State::passed) {
    c.out.integer(arrival->index);
    return;
  }
  if (opts.nowait()) {  // TIMEOUT 0: timed out at once, which breaks the barrier
    b.abort();
    reply_broken(c.out);
    return;
  }
  using State = BarrierObject::Arrival::State;
  Waiter w;
  w.try_complete = [arrival](ReplyWriter& out) {
    if (arrival->state == State::waiting) return false;
    if (arrival->state == State::passed) {
      out.integer(arrival->index);
    } else {
      reply_broken(out);
    }
    return true;
  };
  // A timeout breaks the barrier, as in Python. Leave the queue first so that
  // breaking it does not complete (and destroy) this very waiter.
  w.on_timeout = [obj = c.object, s = &c.session](ReplyWriter& out) {
    if (Waiter* self = s->waiter(); self && self->queue) self->queue->remove(*self);
    barrier_of(obj).abort();
    reply_broken(out);
    return true;
  };
  // A party that leaves while waiting breaks the barrier for the others.
  w.on_abandon = [obj = c.object, arrival] {
    if (arrival->state == State::waiting) barrier_of(obj).abort();
  };
  w.deadline = opts.deadline();
  c.park(b.waiters(), std::move(w));
}

void cmd_reset(Ctx& c) {
  barrier_of(c.object).reset();
  c.out.ok();
}

void cmd_abort(Ctx& c) {
  barrier_of(c.object).abort();
  c.out.ok();
}

void cmd_parties(Ctx& c) {
  c.out.integer(barrier_of(c.object).parties());
}
void cmd_waiting(Ctx& c) {
  c.out.integer(barrier_of(c.object).waiting());
}
void cmd_broken(Ctx& c) {
  c.out.boolean(barrier_of(c.object).broken());
}

std::unique_ptr<Object> make_barrier(std::span<const std::string_view> options) {
  std::int64_t parties = 0;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (keyword_is(options[i], "PARTIES") && i + 1 < options.size()) {
      parties = sync::option_int("PARTIES", options[++i], 1);
    } else {
      sync::bad_option("barrier", options[i]);
    }
  }
  if (parties == 0) fail(ErrorCode::err, "barrier needs PARTIES n");
  return std::make_unique<BarrierObject>(parties);
}

}  // namespace

void register_barrier_type(Engine& e) {
  e.register_type({"barrier",
                   [](Engine&, std::span<const std::string_view> o) { return make_barrier(o); },
                   "A barrier for PARTIES n clients (Python's Barrier)"});

  const std::vector<std::string> types{"barrier"};
  using namespace flag;
  e.register_command({"BARRIER.WAIT", -2, write | blocking, cmd_wait,
                      "Wait for all parties; replies the arrival index, or BROKEN",
                      "barrier [TIMEOUT seconds]", types});
  e.register_command({"BARRIER.RESET", 2, write, cmd_reset,
                      "Fail the current waiters with BROKEN and make it usable again", "barrier",
                      types});
  e.register_command({"BARRIER.ABORT", 2, write, cmd_abort,
                      "Break the barrier: waiters and later waits get BROKEN", "barrier", types});
  e.register_command({"BARRIER.PARTIES", 2, readonly | fast, cmd_parties, "The number of parties",
                      "barrier", types});
  e.register_command({"BARRIER.WAITING", 2, readonly | fast, cmd_waiting,
                      "The number of parties waiting", "barrier", types});
  e.register_command({"BARRIER.BROKEN", 2, readonly | fast, cmd_broken,
                      "Whether the barrier is broken", "barrier", types});
}

}  // namespace procshare::server

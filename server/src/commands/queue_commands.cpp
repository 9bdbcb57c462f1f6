// PROTOCOL.md §6 queue, joinablequeue: QUEUE.PUT (+OK or -FULL), QUEUE.GET
// (the item or -EMPTY), QUEUE.SIZE/EMPTY/FULL, and for joinable queues
// QUEUE.TASKDONE and QUEUE.JOIN (:1, or :0 when it timed out). The hand-over
// rules (an item only leaves the queue into a live client's reply) live in
// types/queue.hpp.
// Parked GET/PUT/JOIN: timeout -> -EMPTY / -FULL / :0; disconnect -> it
// leaves the queue (a parked putter's item is never stored; a getter that
// took an item but left before its reply puts the item back); DEL ->
// -NOTFOUND.
#include "../types/queue.hpp"

#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

// The encoders: one per command, for the immediate and the parked path.
void reply_put(ReplyWriter& out, const WaitOutcome& o) {
  if (o.status == WaitStatus::done) {
    out.ok();
  } else {
    write_error(out, ErrorCode::full, "queue is full");
  }
}

void reply_get(ReplyWriter& out, const WaitOutcome& o) {
  if (o.status == WaitStatus::done) {
    out.bulk(o.item);
  } else {
    write_error(out, ErrorCode::empty, "queue is empty");
  }
}

void cmd_put(Ctx& c) {
  ArgReader r(c.args, 2);
  std::string_view value = r.next();
  WaitOptions opts = r.wait_options();
  r.finish();
  auto& q = c.obj<QueueObject>();
  c.wait(q.putters(), opts, reply_put,
         [q = &q, item = std::string(value)](WaitOutcome&, Wake w) mutable {
           return q->put_now(item, w.parked);
         });
}

void cmd_get(Ctx& c) {
  ArgReader r(c.args, 2);
  WaitOptions opts = r.wait_options();
  r.finish();
  auto& q = c.obj<QueueObject>();
  WaitOutcome now;
  if (q.take_now(now.item)) {  // the common case: no waiter is made
    now.status = WaitStatus::done;
    return reply_get(c.out, now);
  }
  if (opts.nowait()) {
    now.status = WaitStatus::timed_out;
    return reply_get(c.out, now);
  }
  auto w = std::make_unique<Waiter>();
  // Runs only for a parked getter first in line: the item goes into its
  // outcome, and back into the queue if the client leaves before its reply.
  w->try_complete = [q = &q](Waiter& self, Wake wake) {
    return q->take_now(self.outcome.item, wake.parked);
  };
  w->on_abandon = [q = &q](Waiter& self) {
    if (self.outcome.status == WaitStatus::done) q->put_back(std::move(self.outcome.item));
  };
  w->deadline = opts.deadline();
  c.park(std::move(w), q.getters(), reply_get);
}

void cmd_size(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(c.obj<QueueObject>().size()));
}
void cmd_empty(Ctx& c) {
  c.out.boolean(c.obj<QueueObject>().empty());
}
void cmd_full(Ctx& c) {
  c.out.boolean(c.obj<QueueObject>().full());
}

void cmd_taskdone(Ctx& c) {
  c.obj<QueueObject>().task_done();
  c.out.ok();
}

void cmd_join(Ctx& c) {
  ArgReader r(c.args, 2);
  WaitOptions opts = r.wait_options(/*allow_nowait=*/false);
  r.finish();
  auto& q = c.obj<QueueObject>();
  c.wait(q.joiners(), opts, sync::reply_integer, [q = &q](WaitOutcome& o, Wake) {
    o.integer = 1;
    return q->unfinished() == 0;
  });
}

std::unique_ptr<Object> make_queue(std::span<const std::string_view> options, bool joinable) {
  std::string_view type = joinable ? "joinablequeue" : "queue";
  std::int64_t maxsize = 0;
  bool lifo = false;
  ArgReader r(options, 0);
  while (r.more()) {
    if (r.accept("MAXSIZE")) {
      // As in Python, a maxsize <= 0 means unbounded.
      maxsize = std::max<std::int64_t>(0, r.next_int(ErrorCode::err));
    } else if (!joinable && r.accept("LIFO")) {
      lifo = true;
    } else {
      r.unknown_option(type);
    }
  }
  r.finish();
  return std::make_unique<QueueObject>(static_cast<std::size_t>(maxsize), lifo, joinable);
}

}  // namespace

void register_queue_types(Engine& e) {
  e.register_type({.name = "queue",
                   .make = [](Engine&, auto o) { return make_queue(o, false); },
                   .summary = "A FIFO (or LIFO) queue; MAXSIZE n bounds it (0: unbounded)"});
  e.register_type({.name = "joinablequeue",
                   .make = [](Engine&, auto o) { return make_queue(o, true); },
                   .summary = "A FIFO queue with task_done/join (Python's JoinableQueue)"});

  const std::vector<std::string> both{"queue", "joinablequeue"};
  const std::vector<std::string> joinable{"joinablequeue"};
  using namespace flag;
  e.register_command({.name = "QUEUE.PUT",
                      .arity = -3,
                      .flags = write | blocking | grows,
                      .handler = cmd_put,
                      .summary = "Append an item; waits while the queue is full",
                      .args = "queue value [TIMEOUT seconds | NOWAIT]",
                      .types = both,
                      .create_type = "queue"});
  e.register_command({.name = "QUEUE.GET",
                      .arity = -2,
                      .flags = write | blocking,
                      .handler = cmd_get,
                      .summary = "Remove and return the next item; waits while the queue is empty",
                      .args = "queue [TIMEOUT seconds | NOWAIT]",
                      .types = both,
                      .create_type = "queue"});
  e.register_command({.name = "QUEUE.SIZE",
                      .arity = 2,
                      .flags = readonly | fast,
                      .handler = cmd_size,
                      .summary = "The number of items queued",
                      .args = "queue",
                      .types = both});
  e.register_command({.name = "QUEUE.EMPTY",
                      .arity = 2,
                      .flags = readonly | fast,
                      .handler = cmd_empty,
                      .summary = "Whether no item is queued",
                      .args = "queue",
                      .types = both});
  e.register_command({.name = "QUEUE.FULL",
                      .arity = 2,
                      .flags = readonly | fast,
                      .handler = cmd_full,
                      .summary = "Whether the queue holds maxsize items",
                      .args = "queue",
                      .types = both});
  // A missing object is created as a joinable queue: a plain one would only
  // answer WRONGTYPE.
  e.register_command({.name = "QUEUE.TASKDONE",
                      .arity = 2,
                      .flags = write | fast,
                      .handler = cmd_taskdone,
                      .summary = "Mark one task done (joinable queues)",
                      .args = "queue",
                      .types = joinable,
                      .create_type = "joinablequeue"});
  e.register_command({.name = "QUEUE.JOIN",
                      .arity = -2,
                      .flags = write | blocking,
                      .handler = cmd_join,
                      .summary = "Wait until every task is done; replies 1, or 0 on timeout",
                      .args = "queue [TIMEOUT seconds]",
                      .types = joinable,
                      .create_type = "joinablequeue"});
}

}  // namespace procshare::server

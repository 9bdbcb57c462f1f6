// PROTOCOL.md §6 queue, joinablequeue: QUEUE.PUT (+OK or -FULL), QUEUE.GET
// (the item or -EMPTY), QUEUE.SIZE/EMPTY/FULL, and for joinable queues
// QUEUE.TASKDONE and QUEUE.JOIN (:1, or :0 when it timed out). The hand-over
// rules (an item only leaves the queue into a live client's reply) live in
// types/queue.hpp.
// Parked GET/PUT/JOIN: timeout -> -EMPTY / -FULL / :0; disconnect -> it
// leaves the queue (a parked putter's item is never stored; a getter that
// took an item but left before its reply puts the item back); DEL ->
// -NOTFOUND.
// Leased delivery: QUEUE.GET ... LEASE s replies [item, delivery id] and the
// item stays in flight until QUEUE.ACK; QUEUE.NACK, QUEUE.EXTEND; a client
// that leases an item holds the queue (Session::hold) so that what it had in
// flight comes back when it goes. CREATE ... MAXDELIVERIES n DEADLETTER q.
#include "../types/queue.hpp"

#include "dump_util.hpp"
#include "procshare/server/arg_reader.hpp"
#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "procshare/server/log.hpp"
#include "procshare/server/persistence.hpp"
#include "procshare/server/text.hpp"
#include "sync_options.hpp"

#include <algorithm>
#include <limits>

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

// [item, id]: the same two-element array in RESP2 and RESP3.
void write_leased(ReplyWriter& out, std::string_view item, std::int64_t id) {
  out.array(2);
  out.bulk(item);
  out.integer(id);
}

void reply_get_leased(ReplyWriter& out, const WaitOutcome& o) {
  if (o.status == WaitStatus::done) {
    write_leased(out, o.item, o.id);
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
  if (c.engine.logging() && c.session.parked()) {
    // Stored later, when there is room: logged then.
    c.session.waiter()->logged_as = [name = std::string(c.arg(1)),
                                     item = std::string(value)](const Waiter&) {
      return std::vector<std::string>{"QUEUE.PUT", name, item, "NOWAIT"};
    };
  }
}

void get_leased(Ctx& c, const sync::AcquireOptions& opts) {
  // The log learns what was taken from the queue's journal (QUEUE.REPLAY
  // TAKE), not from this command.
  if (c.engine.logging()) c.engine.log_instead({});
  auto& q = c.obj<QueueObject>();
  Session& s = c.session;
  const auto lease = std::chrono::duration_cast<Clock::duration>(*opts.lease);
  if (std::int64_t id = q.take_leased(s.id(), Clock::now() + lease)) {
    s.hold(q);  // what it has in flight comes back if it vanishes
    return write_leased(c.out, q.in_flight(id)->item, id);
  }
  if (opts.wait.nowait()) return reply_get_leased(c.out, {.status = WaitStatus::timed_out});
  auto w = std::make_unique<Waiter>();
  // The lease starts when the item is taken; the reply carries a copy (the
  // original stays in flight here).
  w->try_complete = [q = &q, s = &s, lease](Waiter& self, Wake wake) {
    std::int64_t id = q->take_leased(s->id(), Clock::now() + lease, wake.parked);
    if (!id) return false;
    s->hold(*q);
    self.outcome.id = id;
    self.outcome.item = q->in_flight(id)->item;
    return true;
  };
  w->on_abandon = [q = &q](Waiter& self) {
    if (self.outcome.status == WaitStatus::done) q->undeliver(self.outcome.id);
  };
  w->deadline = opts.wait.deadline();
  c.park(std::move(w), q.getters(), reply_get_leased);
}

void cmd_get(Ctx& c) {
  ArgReader r(c.args, 2);
  sync::AcquireOptions opts = sync::acquire_options(r, true, /*allow_state=*/false);
  r.finish();
  if (opts.lease) return get_leased(c, opts);
  auto& q = c.obj<QueueObject>();
  WaitOutcome now;
  if (q.take_now(now.item)) {  // the common case: no waiter is made
    now.status = WaitStatus::done;
    return reply_get(c.out, now);
  }
  if (opts.wait.nowait()) {
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
  w->deadline = opts.wait.deadline();
  if (c.engine.logging()) {
    w->logged_as = [name = std::string(c.arg(1))](const Waiter&) {
      return std::vector<std::string>{"QUEUE.GET", name, "NOWAIT"};
    };
    w->logged_undo = [name = std::string(c.arg(1))](const Waiter& self) {
      return std::vector<std::string>{"QUEUE.PUTBACK", name, self.outcome.item};
    };
  }
  c.park(std::move(w), q.getters(), reply_get);
}

// Only from the log: an item a getter took but never received.
void cmd_putback(Ctx& c) {
  c.obj<QueueObject>().put_back(std::string(c.arg(2)));
  c.out.ok();
}

// Only from a snapshot: the queue's items and unfinished tasks.
void cmd_load(Ctx& c) {
  const std::int64_t unfinished = parse_int(c.arg(2));
  auto& q = c.obj<QueueObject>();
  for (std::size_t i = 3; i < c.argc(); ++i) q.load(std::string(c.arg(i)));
  q.set_unfinished(unfinished);
  c.out.ok();
}

// Only from a snapshot: QUEUE.RESTORE q id deliveries item.
void cmd_restore(Ctx& c) {
  const std::int64_t id = parse_int(c.arg(2));
  const std::int64_t deliveries = parse_int(c.arg(3));
  c.obj<QueueObject>().restore(id,
                               static_cast<std::uint32_t>(std::clamp<std::int64_t>(
                                   deliveries, 0, std::numeric_limits<std::uint32_t>::max())),
                               std::string(c.arg(4)));
  c.out.ok();
}

constexpr std::string_view kJournalNames[] = {"TAKE", "ACK", "BACK", "DEAD", "UNDO"};

// Only from the log: QUEUE.REPLAY q TAKE|ACK|BACK|DEAD|UNDO id (queue.hpp's
// Journal, in that order).
void cmd_replay(Ctx& c) {
  ArgReader r(c.args, 2);
  std::size_t how = 0;
  while (how < std::size(kJournalNames) && !r.accept(kJournalNames[how])) ++how;
  if (how == std::size(kJournalNames)) r.error(ErrorCode::err, "syntax error");
  const std::int64_t id = r.next_int();
  r.finish();
  c.obj<QueueObject>().replay_settle(static_cast<QueueObject::Journal>(how), id);
  c.out.ok();
}

// The log's view of leased deliveries (queue.hpp): each change as a record.
void log_journal(Engine& e, const QueueObject& q, QueueObject::Journal how, std::int64_t id) {
  if (!e.logging() || q.anonymous()) return;
  const std::vector<std::string> argv{"QUEUE.REPLAY", q.name(),
                                      std::string(kJournalNames[static_cast<int>(how)]),
                                      std::to_string(id)};
  e.persistence()->append(argv);
}

// QUEUE.ACK q id -> :1, or :0 for an unknown or already-settled id.
void cmd_ack(Ctx& c) {
  ArgReader r(c.args, 2);
  std::int64_t id = r.next_int();
  r.finish();
  c.out.integer(c.obj<QueueObject>().ack(id) ? 1 : 0);
}

// QUEUE.NACK q id [DELAY s] -> :1 / :0.
void cmd_nack(Ctx& c) {
  ArgReader r(c.args, 2);
  std::int64_t id = r.next_int();
  std::chrono::nanoseconds delay{0};
  if (r.accept("DELAY")) delay = r.next_seconds("DELAY", /*allow_zero=*/true);
  r.finish();
  c.out.integer(
      c.obj<QueueObject>().nack(id, std::chrono::duration_cast<Clock::duration>(delay)) ? 1 : 0);
}

// QUEUE.EXTEND q id s -> :1 (the lease now ends s from now) / :0.
void cmd_extend(Ctx& c) {
  ArgReader r(c.args, 2);
  std::int64_t id = r.next_int();
  auto lease = r.next_seconds("the lease");
  r.finish();
  auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(lease);
  c.out.integer(c.obj<QueueObject>().extend(id, end) ? 1 : 0);
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

// The dead-letter queue, found or created (a plain queue) when a letter
// comes; false when the name now holds something else or cannot be made.
bool store_dead_letter(Engine& e, const QueueObject& from, const std::string& name,
                       std::string& item) {
  try {
    std::shared_ptr<Object> obj = e.objects().find(name);
    if (!obj) {
      Engine::check_implicit_name(name);
      obj = e.make_object("queue", {});
      e.add_object(name, obj, false);
    }
    auto* q = dynamic_cast<QueueObject*>(obj.get());
    if (q == &from) return false;  // names itself: it keeps its items
    if (!q) {
      log::warning("dead letter kept in its queue: '{}' is a {}, not a queue", name,
                   obj->type_name());
      return false;
    }
    q->put_dead_letter(std::move(item));
    return true;
  } catch (const CommandError& err) {  // --max-objects
    log::warning("dead letter kept in its queue: cannot make '{}': {}", name, err.what());
    return false;
  }
}

std::unique_ptr<Object> make_queue(Engine& e, std::span<const std::string_view> options,
                                   bool joinable) {
  std::string_view type = joinable ? "joinablequeue" : "queue";
  std::int64_t maxsize = 0;
  std::int64_t max_deliveries = 0;
  std::optional<std::string_view> dead_letter;
  bool lifo = false;
  ArgReader r(options, 0);
  while (r.more()) {
    if (r.accept("MAXSIZE")) {
      // As in Python, a maxsize <= 0 means unbounded.
      maxsize = std::max<std::int64_t>(0, r.next_int(ErrorCode::err));
    } else if (!joinable && r.accept("LIFO")) {
      lifo = true;
    } else if (r.accept("MAXDELIVERIES")) {
      max_deliveries = r.next_int_at_least("MAXDELIVERIES", 1);
      if (!r.failed() && max_deliveries > 1'000'000'000) {
        r.error(ErrorCode::valueerror, "MAXDELIVERIES must be <= 1000000000");
      }
    } else if (r.accept("DEADLETTER")) {
      dead_letter = r.next();
      if (!r.failed() && !text::valid_name(*dead_letter)) {
        r.error(ErrorCode::err, "object names are 1 to 512 bytes");
      }
    } else {
      r.unknown_option(type);
    }
  }
  if (!r.failed() && (max_deliveries > 0) != dead_letter.has_value()) {
    r.error(ErrorCode::err, "syntax error: MAXDELIVERIES and DEADLETTER go together");
  }
  r.finish();
  auto q = std::make_unique<QueueObject>(
      static_cast<std::size_t>(maxsize), lifo, joinable, static_cast<std::uint32_t>(max_deliveries),
      dead_letter ? std::string(*dead_letter) : std::string(), &e.delivery_ids());
  q->journal = [e = &e](const QueueObject& self, QueueObject::Journal how, std::int64_t id) {
    log_journal(*e, self, how, id);
  };
  if (dead_letter) {
    q->dead_letter = [e = &e, from = q.get(), name = std::string(*dead_letter)](std::string& item) {
      return store_dead_letter(*e, *from, name, item);
    };
  }
  return q;
}

}  // namespace

namespace {
// Items in order, and a joinable queue's count of unfinished tasks.
void dump_queue(const Object& obj, const TypeSpec::Emit& emit) {
  const auto& q = static_cast<const QueueObject&>(obj);
  std::vector<std::string> options{"MAXSIZE", std::to_string(q.maxsize())};
  if (q.lifo()) options.emplace_back("LIFO");
  if (q.max_deliveries() > 0) {
    options.insert(options.end(), {"MAXDELIVERIES", std::to_string(q.max_deliveries()),
                                   "DEADLETTER", q.dead_letter_queue()});
  }
  dump::create(emit, obj, std::move(options));
  // The head first: in flight (back at the head after the restart), then
  // items that came back, each with its delivery count.
  q.for_each_in_flight([&](std::int64_t id, const QueueObject::InFlight& f) {
    const std::vector<std::string> argv{"QUEUE.RESTORE", obj.name(), std::to_string(id),
                                        std::to_string(f.deliveries), f.item};
    emit(argv);
  });
  q.for_each_returned([&](const std::string& item, std::uint32_t deliveries) {
    const std::vector<std::string> argv{"QUEUE.RESTORE", obj.name(), "0",
                                        std::to_string(deliveries), item};
    emit(argv);
  });
  dump::Batch b(emit, {"QUEUE.LOAD", obj.name(), std::to_string(q.unfinished())});
  for (const std::string& item : q.items()) b.add(item);
  b.finish();
  if (q.items().empty() && q.unfinished() != 0) {
    std::vector<std::string> argv{"QUEUE.LOAD", obj.name(), std::to_string(q.unfinished())};
    emit(argv);
  }
}
}  // namespace

void register_queue_types(Engine& e) {
  e.register_type({.name = "queue",
                   .make = [](Engine& e, auto o) { return make_queue(e, o, false); },
                   .summary = "A FIFO (or LIFO) queue; MAXSIZE n bounds it (0: unbounded); "
                              "MAXDELIVERIES n DEADLETTER q",
                   .dump = dump_queue});
  e.register_type({.name = "joinablequeue",
                   .make = [](Engine& e, auto o) { return make_queue(e, o, true); },
                   .summary = "A FIFO queue with task_done/join (Python's JoinableQueue)",
                   .dump = dump_queue});

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
                      .args = "queue [TIMEOUT seconds | NOWAIT] [LEASE seconds]",
                      .types = both,
                      .create_type = "queue"});
  e.register_command({.name = "QUEUE.PUTBACK",
                      .arity = 3,
                      .flags = write | internal,
                      .handler = cmd_putback,
                      .summary = "In the log only: an item given back to the head",
                      .args = "queue value",
                      .types = both});
  e.register_command({.name = "QUEUE.LOAD",
                      .arity = -3,
                      .flags = write | internal,
                      .handler = cmd_load,
                      .summary = "In a snapshot only: a queue's items and unfinished tasks",
                      .args = "queue unfinished [value ...]",
                      .types = both});
  e.register_command({.name = "QUEUE.RESTORE",
                      .arity = 5,
                      .flags = write | internal,
                      .handler = cmd_restore,
                      .summary = "In a snapshot only: an item in flight (id) or come back (0)",
                      .args = "queue id deliveries value",
                      .types = both});
  e.register_command({.name = "QUEUE.REPLAY",
                      .arity = 4,
                      .flags = write | internal,
                      .handler = cmd_replay,
                      .summary = "In the log only: a leased delivery taken or settled",
                      .args = "queue TAKE|ACK|BACK|DEAD|UNDO id",
                      .types = both});
  e.register_command({.name = "QUEUE.ACK",
                      .arity = 3,
                      .flags = write | transient | fast,
                      .handler = cmd_ack,
                      .summary = "Settle a leased delivery: the item is gone; replies 1, or 0 "
                                 "for an unknown or settled id",
                      .args = "queue id",
                      .types = both});
  e.register_command({.name = "QUEUE.NACK",
                      .arity = -3,
                      .flags = write | transient | fast,
                      .handler = cmd_nack,
                      .summary = "Give a leased item back to the head of the queue, now or "
                                 "after a delay; replies 1 or 0",
                      .args = "queue id [DELAY seconds]",
                      .types = both});
  e.register_command({.name = "QUEUE.EXTEND",
                      .arity = 4,
                      .flags = write | transient | fast,
                      .handler = cmd_extend,
                      .summary = "Renew a lease: it ends `seconds` from now; replies 1 or 0",
                      .args = "queue id seconds",
                      .types = both});
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
                      .flags = write | transient | blocking,
                      .handler = cmd_join,
                      .summary = "Wait until every task is done; replies 1, or 0 on timeout",
                      .args = "queue [TIMEOUT seconds]",
                      .types = joinable,
                      .create_type = "joinablequeue"});
}

}  // namespace procshare::server

// PROTOCOL.md §6 queue, joinablequeue: QUEUE.PUT (+OK or -FULL), QUEUE.GET
// (the item or -EMPTY), QUEUE.SIZE/EMPTY/FULL, and for joinable queues
// QUEUE.TASKDONE and QUEUE.JOIN (:1, or :0 when it timed out). The hand-over
// rules (an item only leaves the queue into a live client's reply) live in
// types/queue.hpp.
// Parked GET/PUT/JOIN: timeout -> -EMPTY / -FULL / :0; disconnect -> it
// leaves the queue (a parked putter's item is never stored); DEL -> -NOTFOUND.
#include "../types/queue.hpp"

#include "procshare/server/builtins.hpp"
#include "procshare/server/engine.hpp"
#include "sync_options.hpp"

namespace procshare::server {

namespace {

QueueObject& queue_of(const std::shared_ptr<Object>& obj) {
  return static_cast<QueueObject&>(*obj);
}

void cmd_put(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 3);
  QueueObject& q = queue_of(c.object);
  std::string item(c.arg(2));
  if (q.put_now(item)) {
    c.out.ok();
    return;
  }
  if (opts.nowait()) {  // an expected outcome: replied directly, not thrown (cheaper)
    c.error(ErrorCode::full, "queue is full");
    return;
  }
  Waiter w;
  w.try_complete = [obj = c.object, item = std::move(item)](ReplyWriter& out) mutable {
    if (!queue_of(obj).put_now(item, /*queued=*/true)) return false;
    out.ok();
    return true;
  };
  w.on_timeout = [](ReplyWriter& out) {
    out.error("FULL", "queue is full");
    return true;
  };
  w.deadline = opts.deadline();
  c.park(q.putters(), std::move(w));
}

void cmd_get(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2);
  QueueObject& q = queue_of(c.object);
  std::string item;
  if (q.take_now(item)) {
    c.out.bulk(item);
    return;
  }
  if (opts.nowait()) {  // an expected outcome: replied directly, not thrown (cheaper)
    c.error(ErrorCode::empty, "queue is empty");
    return;
  }
  Waiter w;
  // Called only while this client is live and first in line, so the item it
  // takes is written into its reply at once: nothing is lost if it goes.
  w.try_complete = [obj = c.object](ReplyWriter& out) {
    std::string got;
    if (!queue_of(obj).take_now(got, /*queued=*/true)) return false;
    out.bulk(got);
    return true;
  };
  w.on_timeout = [](ReplyWriter& out) {
    out.error("EMPTY", "queue is empty");
    return true;
  };
  w.deadline = opts.deadline();
  c.park(q.getters(), std::move(w));
}

void cmd_size(Ctx& c) {
  c.out.integer(static_cast<std::int64_t>(queue_of(c.object).size()));
}
void cmd_empty(Ctx& c) {
  c.out.boolean(queue_of(c.object).empty());
}
void cmd_full(Ctx& c) {
  c.out.boolean(queue_of(c.object).full());
}

void cmd_taskdone(Ctx& c) {
  queue_of(c.object).task_done();
  c.out.ok();
}

void cmd_join(Ctx& c) {
  WaitOptions opts = parse_wait_options(c.args, 2, /*allow_nowait=*/false);
  sync::wait_for_integer(
      c, queue_of(c.object).joiners(), opts,
      [obj = c.object](bool) -> std::int64_t { return queue_of(obj).unfinished() == 0; });
}

std::unique_ptr<Object> make_queue(std::span<const std::string_view> options, bool joinable) {
  std::string_view type = joinable ? "joinablequeue" : "queue";
  std::int64_t maxsize = 0;
  bool lifo = false;
  for (std::size_t i = 0; i < options.size(); ++i) {
    if (keyword_is(options[i], "MAXSIZE") && i + 1 < options.size()) {
      // As in Python, a maxsize <= 0 means unbounded.
      maxsize = std::max<std::int64_t>(0, parse_int(options[++i], ErrorCode::err));
    } else if (!joinable && keyword_is(options[i], "LIFO")) {
      lifo = true;
    } else {
      sync::bad_option(type, options[i]);
    }
  }
  return std::make_unique<QueueObject>(static_cast<std::size_t>(maxsize), lifo, joinable);
}

}  // namespace

void register_queue_types(Engine& e) {
  e.register_type(
      {"queue", [](Engine&, std::span<const std::string_view> o) { return make_queue(o, false); },
       "A FIFO (or LIFO) queue; MAXSIZE n bounds it (0: unbounded)"});
  e.register_type({"joinablequeue",
                   [](Engine&, std::span<const std::string_view> o) { return make_queue(o, true); },
                   "A FIFO queue with task_done/join (Python's JoinableQueue)"});

  const std::vector<std::string> both{"queue", "joinablequeue"};
  const std::vector<std::string> joinable{"joinablequeue"};
  using namespace flag;
  e.register_command({"QUEUE.PUT", -3, write | blocking, cmd_put,
                      "Append an item; waits while the queue is full",
                      "queue value [TIMEOUT seconds | NOWAIT]", both, "queue"});
  e.register_command({"QUEUE.GET", -2, write | blocking, cmd_get,
                      "Remove and return the next item; waits while the queue is empty",
                      "queue [TIMEOUT seconds | NOWAIT]", both, "queue"});
  e.register_command(
      {"QUEUE.SIZE", 2, readonly | fast, cmd_size, "The number of items queued", "queue", both});
  e.register_command(
      {"QUEUE.EMPTY", 2, readonly | fast, cmd_empty, "Whether no item is queued", "queue", both});
  e.register_command({"QUEUE.FULL", 2, readonly | fast, cmd_full,
                      "Whether the queue holds maxsize items", "queue", both});
  // A missing object is created as a joinable queue: a plain one would only
  // answer WRONGTYPE.
  e.register_command({"QUEUE.TASKDONE", 2, write | fast, cmd_taskdone,
                      "Mark one task done (joinable queues)", "queue", joinable, "joinablequeue"});
  e.register_command({"QUEUE.JOIN", -2, write | blocking, cmd_join,
                      "Wait until every task is done; replies 1, or 0 on timeout",
                      "queue [TIMEOUT seconds]", joinable, "joinablequeue"});
}

}  // namespace procshare::server

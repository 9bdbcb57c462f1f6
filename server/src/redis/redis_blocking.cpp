// Redis BLPOP / BRPOP key [key ...] timeout, on procshare lists. The client is
// parked, never a thread (PROTOCOL.md §6): one waiter sits in every waited
// list's `pushed()` queue at once, and the first list to get items serves it
// (the others no longer hold it).
//
// What happens when:
//  * a key gets items: the waiter takes one into its outcome with the key
//    (the list's name now: a RENAMEd list keeps its waiters), and the reply
//    is [key, item].
//  * the timeout passes: a null array (RESP3 null), as Redis.
//  * the client disconnects: its waiter leaves every queue; an item it took
//    but whose reply was never written goes back where it came from.
//  * a waited list is deleted (DEL, FLUSHALL): -NOTFOUND, procshare's rule.
//  * a key is missing: an empty list is created to wait on, so while clients
//    wait on it the key exists (TYPE list, LLEN 0). When the wait ends, the
//    lists it created are deleted again if still empty and unwaited.
//  * the waiter empties a list: the list is deleted (Redis's empty-key rule).
#include <fmt/format.h>

#include <cmath>
#include <unordered_set>
#include <vector>

#include "procshare/server/text.hpp"
#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

using ListPtr = std::shared_ptr<ListObject>;

// What one BLPOP/BRPOP wait needs after it parked.
struct BlockedPop {
  Engine& engine;
  bool front = true;
  std::vector<ListPtr> lists;  // in key order, no duplicates
  std::vector<bool> made;      // created for this wait

  // The lists made for this wait go again if nobody filled or waits on them.
  void drop_made_lists() {
    for (std::size_t i = 0; i < lists.size(); ++i) {
      if (made[i]) delete_if_emptied(engine, *lists[i]);
    }
  }

  bool take(Waiter& self, std::size_t source) {
    ListObject& l = *lists[source];
    if (l.size() == 0) return false;
    self.outcome.item = l.pop(front ? 0 : -1);
    self.outcome.key = l.name();
    // Out of every queue first, so that deleting an emptied list below
    // fails nobody: this waiter no longer waits on it.
    self.scheduler()->withdraw(self);
    delete_if_emptied(engine, l);
    drop_made_lists();
    return true;
  }

  // The client left after taking an item: it goes back to its end of the
  // list, which is registered again if it was deleted for being empty.
  void put_back(Waiter& self) {
    for (const ListPtr& l : lists) {
      if (l->name() != self.outcome.key) continue;
      std::string_view item = self.outcome.item;
      if (front) {
        l->push_front(std::span(&item, 1));
      } else {
        l->push_back(std::span(&item, 1));
      }
      if (!engine.objects().find(l->name())) engine.add_object(l->name(), l, false);
      return;
    }
  }
};

// [key, item], or a null array when it timed out.
void reply_pop(ReplyWriter& out, const WaitOutcome& o) {
  if (o.status != WaitStatus::done) {
    out.null_array();
    return;
  }
  out.array(2);
  out.bulk(o.key);
  out.bulk(o.item);
}

// Redis's timeout argument: seconds, decimals allowed, 0 = forever.
WaitOptions parse_timeout(std::string_view s) {
  auto secs = text::to_double(s);
  if (!secs || !std::isfinite(*secs)) {
    fail(ErrorCode::err, "timeout is not a float or out of range");
  }
  if (*secs < 0) fail(ErrorCode::err, "timeout is negative");
  if (*secs == 0) return {};
  // A year is forever for any real program; more would overflow the clock.
  const double capped = std::min(*secs, 365.0 * 24 * 3600);
  return {std::chrono::nanoseconds(static_cast<std::int64_t>(capped * 1e9))};
}

void blocking_pop(Ctx& c, bool front) {
  const WaitOptions opts = parse_timeout(c.arg(c.argc() - 1));
  const auto keys = c.args.subspan(1, c.argc() - 2);
  // Every key is checked before anything changes: a wrong type or a bad
  // name fails the command with no list made.
  for (std::string_view key : keys) {
    text::check_name(key);
    find(c, key, kList);
  }

  // Served at once from the first key that has items, as Redis does.
  for (std::string_view key : keys) {
    ListPtr l = find_as<ListObject>(c, key, kList);
    if (!l || l->size() == 0) continue;
    WaitOutcome o{.status = WaitStatus::done, .item = l->pop(front ? 0 : -1), .key = l->name()};
    delete_if_emptied(c.engine, *l);
    return reply_pop(c.out, o);
  }

  auto wait = std::make_shared<BlockedPop>(BlockedPop{c.engine, front, {}, {}});
  std::vector<WaitQueue*> queues;
  std::unordered_set<const Object*> distinct;
  for (std::string_view key : keys) {
    ListPtr l = find_as<ListObject>(c, key, kList);
    const bool fresh = !l;
    if (fresh) l = std::static_pointer_cast<ListObject>(create(c.engine, key, kList));
    if (!distinct.insert(l.get()).second) continue;  // BLPOP k k 0
    queues.push_back(&l->pushed());
    wait->lists.push_back(std::move(l));
    wait->made.push_back(fresh);
  }
  auto w = std::make_unique<Waiter>();
  w->try_complete = [wait](Waiter& self, Wake wake) { return wait->take(self, wake.source); };
  w->on_timeout = [wait](Waiter& self) {
    self.scheduler()->withdraw(self);
    wait->drop_made_lists();
    return true;
  };
  w->on_abandon = [wait](Waiter& self) {
    if (self.outcome.status == WaitStatus::done) {
      wait->put_back(self);
    } else {
      wait->drop_made_lists();  // it already left every queue
    }
  };
  w->deadline = opts.deadline();
  if (c.engine.logging()) {
    w->logged_as = [front](const Waiter& self) {
      return std::vector<std::string>{front ? "LPOP" : "RPOP", self.outcome.key};
    };
    w->logged_undo = [front](const Waiter& self) {
      return std::vector<std::string>{front ? "LPUSH" : "RPUSH", self.outcome.key,
                                      self.outcome.item};
    };
  }
  w->what = fmt::format("{} {}", c.command.name, keys.front());
  c.park(std::move(w), queues, reply_pop);
}

void cmd_blpop(Ctx& c) {
  blocking_pop(c, true);
}
void cmd_brpop(Ctx& c) {
  blocking_pop(c, false);
}

}  // namespace

void register_blocking_commands(Engine& e) {
  using namespace flag;
  e.register_command(spec("BLPOP", -3, write | blocking, cmd_blpop,
                          "Redis BLPOP: pop the first item of the first non-empty list, waiting "
                          "up to timeout seconds (0: forever)",
                          "key [key ...] timeout"));
  e.register_command(spec("BRPOP", -3, write | blocking, cmd_brpop,
                          "Redis BRPOP: pop the last item of the first non-empty list, waiting "
                          "up to timeout seconds (0: forever)",
                          "key [key ...] timeout"));
}

}  // namespace procshare::server::redis

// Redis BLPOP / BRPOP key [key ...] timeout, on procshare lists. The client is
// parked, never a thread (PROTOCOL.md §6), on the lists' `pushed()` wait
// queues, which every change that adds items wakes (LPUSH, LIST.APPEND, ...).
//
// A session waits in one WaitQueue; for several keys it parks on the first
// key's list and puts a proxy Waiter (same session, owned by the wait's
// shared state) in each other list's queue. Whichever queue wakes first pops,
// in key order, and unlinks the rest.
//
// What happens when:
//  * a key gets items: the first waiter in that list's queue takes one in
//    its try_complete, writing [key, item] into its reply at once; the key
//    is the list's name now (a RENAMEd list keeps its waiters).
//  * the timeout passes: a null array (RESP3 null), as Redis.
//  * the client disconnects: its waiters leave every queue and nothing is
//    popped: an item leaves a list only inside try_complete, for a live client.
//  * a waited list is deleted (DEL, FLUSHALL): -NOTFOUND, procshare's rule.
//  * a key is missing: an empty list is created to wait on, so while clients
//    wait on it the key exists (TYPE list, LLEN 0). When the wait ends, the
//    lists it created are deleted again if still empty and unwaited.
//  * the waiter empties a list: the list is deleted (Redis's empty-key rule).
#include <fmt/format.h>

#include <cmath>
#include <unordered_set>
#include <vector>

#include "redis_glue.hpp"

namespace procshare::server::redis {

namespace {

using ListPtr = std::shared_ptr<ListObject>;

// One BLPOP/BRPOP wait, shared by its primary waiter (in the session) and its
// proxies (owned here).
struct BlockedPop {
  Engine& engine;
  Session& session;
  bool front = true;
  std::vector<ListPtr> lists;  // in key order, no duplicates
  std::vector<bool> made;      // created for this wait
  std::vector<std::unique_ptr<Waiter>> proxies;

  BlockedPop(Engine& e, Session& s, bool f) : engine(e), session(s), front(f) {}
  BlockedPop(const BlockedPop&) = delete;
  BlockedPop& operator=(const BlockedPop&) = delete;
  // The proxies must not stay linked in a queue once they are freed; the
  // lists outlive this body (they are members).
  ~BlockedPop() { unlink_proxies(); }

  void unlink_proxies() {
    for (auto& p : proxies) {
      if (p->queue) p->queue->remove(*p);
    }
  }
  // Leaves every queue, the session's own waiter included: called before any
  // list may be deleted, so that deletion fails no waiter of ours.
  void unlink_all() {
    if (Waiter* w = session.waiter(); w && w->queue) w->queue->remove(*w);
    unlink_proxies();
  }
  // The lists made for this wait go again if nobody filled or waits on them.
  void drop_made_lists() {
    for (std::size_t i = 0; i < lists.size(); ++i) {
      if (made[i]) delete_if_emptied(engine, *lists[i]);
    }
  }

  bool try_pop(ReplyWriter& out) {
    for (const ListPtr& l : lists) {
      if (l->size() == 0) continue;
      std::string item = l->pop(front ? 0 : -1);
      out.array(2);
      out.bulk(l->name());
      out.bulk(item);
      unlink_all();
      delete_if_emptied(engine, *l);
      drop_made_lists();
      return true;
    }
    return false;
  }

  bool timed_out(ReplyWriter& out) {
    out.null_array();
    unlink_all();
    drop_made_lists();
    return true;
  }

  void abandoned() {
    unlink_proxies();  // the session already unlinked its own waiter
    drop_made_lists();
  }
};

// Redis's timeout argument: seconds, decimals allowed, 0 = forever.
std::optional<std::chrono::nanoseconds> parse_timeout(std::string_view s) {
  auto secs = to_double(s);
  if (!secs || !std::isfinite(*secs)) {
    fail(ErrorCode::err, "timeout is not a float or out of range");
  }
  if (*secs < 0) fail(ErrorCode::err, "timeout is negative");
  if (*secs == 0) return std::nullopt;
  // A year is forever for any real program; more would overflow the clock.
  const double capped = std::min(*secs, 365.0 * 24 * 3600);
  return std::chrono::nanoseconds(static_cast<std::int64_t>(capped * 1e9));
}

void blocking_pop(Ctx& c, bool front) {
  const auto timeout = parse_timeout(c.arg(c.argc() - 1));
  const auto keys = c.args.subspan(1, c.argc() - 2);

  // Served at once from the first key that has items, as Redis does.
  for (std::string_view key : keys) {
    ListPtr l = find_as<ListObject>(c, key, kList);
    if (!l || l->size() == 0) continue;
    std::string item = l->pop(front ? 0 : -1);
    c.out.array(2);
    c.out.bulk(key);
    c.out.bulk(item);
    delete_if_emptied(c.engine, *l);
    return;
  }

  auto wait = std::make_shared<BlockedPop>(c.engine, c.session, front);
  // Everything that may throw happens before the client is parked, and a
  // failure leaves no list made for the wait behind; once parked, only the
  // proxies are linked, which cannot fail.
  try {
    wait->lists.reserve(keys.size());
    wait->made.reserve(keys.size());
    std::unordered_set<const Object*> distinct;
    for (std::string_view key : keys) {
      ListPtr l = find_as<ListObject>(c, key, kList);
      const bool fresh = !l;
      if (fresh) l = std::static_pointer_cast<ListObject>(create(c.engine, key, kList));
      if (!distinct.insert(l.get()).second) continue;  // BLPOP k k 0
      wait->lists.push_back(std::move(l));
      wait->made.push_back(fresh);
    }
    const std::string what = fmt::format("{} {}", c.command.name, keys.front());
    // The proxies point at the wait, not own it: it owns them.
    BlockedPop* raw = wait.get();
    wait->proxies.reserve(wait->lists.size());
    for (std::size_t i = 1; i < wait->lists.size(); ++i) {
      auto p = std::make_unique<Waiter>();
      p->try_complete = [raw](ReplyWriter& out) { return raw->try_pop(out); };
      p->session = &c.session;
      p->since = Clock::now();
      p->what = what;
      wait->proxies.push_back(std::move(p));
    }
    Waiter w;
    w.try_complete = [wait](ReplyWriter& out) { return wait->try_pop(out); };
    w.on_timeout = [wait](ReplyWriter& out) { return wait->timed_out(out); };
    w.on_abandon = [wait] { wait->abandoned(); };
    if (timeout) w.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(*timeout);
    w.what = what;
    c.park(wait->lists.front()->pushed(), std::move(w));
  } catch (...) {
    wait->drop_made_lists();
    throw;
  }
  for (std::size_t i = 1; i < wait->lists.size(); ++i) {
    wait->lists[i]->pushed().push(*wait->proxies[i - 1]);
  }
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

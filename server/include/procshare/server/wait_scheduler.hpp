#pragma once
// The engine's part of waiting: which notified queues still have to be
// served, and when each parked waiter's deadline passes. One scheduler per
// engine; every object the engine makes is attached to it.
//
// Data flows one way. A command changes an object; the object notifies its
// wait queues, which only puts them on the ready list; after the command, the
// engine runs the scheduler, which serves each ready queue in turn (a waiter
// that takes an item may make another queue ready: it is appended, never
// served from inside another's wake-up, so nothing is re-entrant). A waiter
// that completes leaves every queue and its session is told; the session's
// connection then asks the engine to write the reply from the outcome.
//
// Deadlines live here too: the transport asks next_deadline() when to wake
// and calls expire_due(now); a connection knows nothing of its wait's
// deadline. The same index holds Alarms, the deadlines that are not waits
// (a lease running out): one transport timer serves both.
#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

// A deadline that is not a wait: a queue item's or a lock's lease running
// out, a NACKed item coming back after its delay. The object that owns it
// arms it with its scheduler (one alarm per object is enough: it is armed at
// the object's earliest deadline); when that time comes, expire_due() calls
// on_due, which may arm it again, and then serves what it made ready (the
// next waiter takes the freed lock or the item at once).
class Alarm {
 public:
  explicit Alarm(std::function<void()> on_due) : on_due_(std::move(on_due)) {}
  Alarm(const Alarm&) = delete;
  Alarm& operator=(const Alarm&) = delete;
  ~Alarm() { disarm(); }

  // Fires at `when` (re-arms an armed alarm). A null scheduler (an object
  // not attached to an engine, in a unit test) only remembers the time.
  void arm(WaitScheduler* scheduler, Clock::time_point when);
  void disarm();
  bool armed() const { return scheduler_ != nullptr; }
  Clock::time_point when() const { return when_; }

 private:
  friend class WaitScheduler;
  std::function<void()> on_due_;
  WaitScheduler* scheduler_ = nullptr;
  Clock::time_point when_{};
};

class WaitScheduler {
 public:
  WaitScheduler() = default;
  WaitScheduler(const WaitScheduler&) = delete;
  WaitScheduler& operator=(const WaitScheduler&) = delete;
  ~WaitScheduler();

  // Parks `w` in each of `queues` (its Wake::source is the position in this
  // list) and indexes its deadline.
  void park(Waiter& w, std::span<WaitQueue* const> queues);
  // Ends `w` with its outcome (pending becomes done): it leaves every queue
  // and the deadline index, and its session is told.
  void complete(Waiter& w);
  // Takes `w` out of every queue and the index without completing it (its
  // client left).
  void withdraw(Waiter& w);
  // Moves a parked waiter's deadline (a notified condition wait has none).
  void set_deadline(Waiter& w, Clock::time_point deadline);

  // Serves the notified queues until none is left.
  void run();
  bool has_ready() const { return !ready_.empty(); }

  // The earliest deadline of a parked waiter or an alarm, if any.
  std::optional<Clock::time_point> next_deadline() const;
  // Fires every alarm due by `now`, then times out every waiter whose
  // deadline is <= now, earliest first, then serves what that made ready.
  // Returns how many waits ended.
  std::size_t expire_due(Clock::time_point now);
  // This waiter's deadline passes now, whatever it is (tests).
  bool expire(Waiter& w);

  // Called when next_deadline() may have moved earlier (a transport timer
  // re-arms itself).
  std::function<void()> on_deadline_change;

 private:
  friend class WaitQueue;
  friend class Alarm;
  void ready(WaitQueue& q);
  void index(Waiter& w);
  void unindex(Waiter& w);
  void unlink_all(Waiter& w);
  bool timeout(Waiter& w);

  std::vector<WaitQueue*> ready_;
  bool running_ = false;  // run() is never re-entered: the outer loop serves what is added
  std::set<std::pair<Clock::time_point, Waiter*>> deadlines_;
  std::set<std::pair<Clock::time_point, Alarm*>> alarms_;
};

}  // namespace procshare::server

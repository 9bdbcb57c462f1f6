#pragma once
// Waiting without a thread (PROTOCOL.md §6 "Blocking never blocks the
// server"). A command that must wait becomes a Waiter: a value that sits in
// one or more FIFO WaitQueues (a BLPOP on three lists sits in three) until
// it completes with a WaitOutcome — an item, an integer, or a status such as
// timed-out. Nothing here knows RESP: the outcome is turned into reply bytes
// by the command's own encoder, by the engine, when the waiting session's
// connection resumes (see wait_scheduler.hpp for who runs what, and when).
//
// Checklist, for every blocking command:
//  * state changes: the object calls notify() (serve waiters in arrival
//    order, stopping at the first that cannot finish: nobody overtakes) or
//    notify_all() (offer the change to each). The scheduler serves the queue
//    after the current command: try_complete() takes what the waiter needs
//    (an item, the lock) into its outcome; the waiter then leaves *every*
//    queue it sits in at once.
//  * the deadline passes: the scheduler calls on_timeout(), which sets the
//    outcome (usually timed_out) and returns true, or re-parks (a condition
//    wait going on to reacquire its lock) and returns false.
//  * the client disconnects: the waiter leaves every queue and on_abandon()
//    runs, also for a waiter that completed but whose reply was not written
//    yet (so a queue item it took goes back, never lost); a barrier breaks.
//  * the object is deleted: every waiter completes with not_found.
//  * the server shuts down: every waiter completes with shut_down.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace procshare::server {

class Object;
class Session;
class WaitQueue;
class WaitScheduler;
using Clock = std::chrono::steady_clock;

enum class WaitStatus : std::uint8_t {
  pending,    // still waiting
  done,       // got what it waited for (the outcome's fields say what)
  timed_out,  // the deadline passed first (or NOWAIT / TIMEOUT 0)
  not_found,  // the object it waited on was deleted
  broken,     // a barrier broke, was aborted or reset
  shut_down,  // the server is stopping
};

// What a wait ended with: plain values, encoded into a reply only by the
// command's encoder. Fields a command does not use stay empty.
struct WaitOutcome {
  WaitStatus status = WaitStatus::pending;
  std::int64_t integer = 0;  // a token, an index, 1/0
  std::string item;          // a queue item, a popped list item
  std::string key;           // which object it came from (BLPOP's key)
  std::int64_t id = 0;       // a delivery id (leased QUEUE.GET)
  bool owner_died = false;   // the previous holder vanished while holding
};

// Where the waiter was woken from: the index of the queue in the waiter's
// list (0 for a waiter in one queue), and whether it was parked already (a
// parked waiter is served before newcomers: queues are FIFO).
struct Wake {
  std::size_t source = 0;
  bool parked = false;
};

struct Waiter {
  // Finish now if possible: take what is needed into `outcome` (status done)
  // and return true; false keeps waiting.
  std::function<bool(Waiter& self, Wake wake)> try_complete;
  // The deadline passed: set the outcome and return true, or re-park (change
  // `deadline`, move queues) and return false. Unset: timed_out.
  std::function<bool(Waiter& self)> on_timeout;
  // The client went away while waiting, or before its finished wait was
  // replied (outcome.status != pending): give back what it took.
  std::function<void(Waiter& self)> on_abandon;

  // The append-only log (docs/persistence.md): a wait that completes later
  // changed kept state then, so its effect is logged then, as the argv of a
  // command that does the same at once ("LPOP key"); and if the client left
  // before its reply, what on_abandon gives back (logged_undo). Set only
  // while the log is on (Engine::logging()).
  std::function<std::vector<std::string>(const Waiter& self)> logged_as;
  std::function<std::vector<std::string>(const Waiter& self)> logged_undo;

  WaitOutcome outcome;
  // The object the command named, kept alive while the wait lasts (even if
  // it is deleted meanwhile), so callbacks may hold plain pointers into it.
  std::shared_ptr<Object> object;
  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point since{};
  std::string what;  // "QUEUE.GET jobs", for CLIENT LIST and `top`
  Session* session = nullptr;

  bool finished() const { return outcome.status != WaitStatus::pending; }
  WaitScheduler* scheduler() const { return scheduler_; }
  bool waiting_in(const WaitQueue& q) const;
  bool linked() const;

  // One place in one queue. A waiter sits in links_.size() queues.
  struct Link {
    Waiter* waiter = nullptr;
    WaitQueue* queue = nullptr;
    Link* prev = nullptr;
    Link* next = nullptr;
    std::size_t index = 0;
  };

 private:
  friend class WaitQueue;
  friend class WaitScheduler;
  std::vector<Link> links_;
  WaitScheduler* scheduler_ = nullptr;  // set while parked
  bool indexed_ = false;                // in the scheduler's deadline index
};

class WaitQueue {
 public:
  explicit WaitQueue(Object& owner);
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;
  ~WaitQueue();

  bool empty() const { return head_ == nullptr; }
  std::size_t size() const { return size_; }
  Object& owner() const { return owner_; }
  // The first waiter in line, or null.
  Waiter* front() const { return head_ ? head_->waiter : nullptr; }

  // State changed: serve waiters in arrival order after the current command,
  // stopping at the first that cannot finish.
  void notify();
  // State changed for everyone: offer it to each waiter once.
  void notify_all();

  // Moves a parked waiter that sits in this queue only to the back of
  // `other` (a condition waiter going on to wait for its lock).
  void move_to(Waiter& w, WaitQueue& other);

  // Every waiter completes with `status` (DEL, shutdown).
  void finish_all(WaitStatus status);

 private:
  friend class WaitScheduler;
  enum class Pending : std::uint8_t { none, one, all };
  void link(Waiter::Link& l);
  void unlink(Waiter::Link& l);
  // Serves the waiters (called by the scheduler for a notified queue).
  void serve(Pending how);

  Object& owner_;
  Waiter::Link* head_ = nullptr;
  Waiter::Link* tail_ = nullptr;
  std::size_t size_ = 0;
  Pending pending_ = Pending::none;  // notified, waiting in the scheduler's ready list
};

}  // namespace procshare::server

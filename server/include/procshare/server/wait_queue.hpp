#pragma once
// FIFO queues of parked clients (PROTOCOL.md §6 "Blocking never blocks the
// server"). A command that must wait does not hold a thread: its session is
// parked as a Waiter in one of the object's WaitQueues and the event loop goes
// on serving everyone else.
//
// What happens when:
//  * the object's state changes: the object calls wake() (or wake_all()); each
//    waiter in arrival order gets try_complete(); one that finishes writes its
//    reply, leaves the queue and its session resumes. wake() stops at the first
//    waiter that cannot finish, so a later arrival never overtakes an earlier
//    one (fairness); wake_all() offers the change to every waiter.
//  * the deadline passes: the session's transport calls on_timeout(), which
//    writes the timed-out reply (`:0`, -EMPTY, ...) or re-parks the waiter
//    (a condition wait moving on to reacquire its lock) and returns false.
//  * the client disconnects: the waiter leaves its queue at once, on_abandon()
//    runs (a barrier breaks) and nothing is handed to it any more: a queue
//    item is only removed when a live waiter's try_complete takes it.
//  * the object is deleted: fail_all() ends every wait with -NOTFOUND.
// wake() is reentrant: a try_complete that changes state and wakes this same
// queue again is handled by looping from the front, never by recursion.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "procshare/protocol/reply_writer.hpp"

namespace procshare::server {

class Object;
class Session;
class WaitQueue;
using protocol::ReplyWriter;
using Clock = std::chrono::steady_clock;

struct Waiter {
  // Finish now if possible: write the reply and return true; false keeps waiting.
  std::function<bool(ReplyWriter&)> try_complete;
  // The deadline passed: write the reply and return true, or re-park and
  // return false (then `deadline` may have been changed).
  std::function<bool(ReplyWriter&)> on_timeout;
  // The client went away while parked; no reply can be written.
  std::function<void()> on_abandon;

  Clock::time_point deadline = Clock::time_point::max();
  Clock::time_point since{};
  std::string what;  // "QUEUE.GET jobs", for CLIENT LIST and `top`

  // Managed by WaitQueue / Session.
  Session* session = nullptr;
  WaitQueue* queue = nullptr;
  Waiter* prev = nullptr;
  Waiter* next = nullptr;
};

class WaitQueue {
 public:
  explicit WaitQueue(Object& owner);
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;
  ~WaitQueue();

  void push(Waiter& w);    // append (arrival order)
  void remove(Waiter& w);  // leave without finishing
  bool empty() const { return head_ == nullptr; }
  std::size_t size() const { return size_; }
  Waiter* front() const { return head_; }
  Object& owner() const { return owner_; }

  // Offers a state change to waiters in arrival order, stopping at the first
  // that cannot finish. Returns how many finished.
  std::size_t wake();
  // Offers it to every waiter once, in arrival order.
  std::size_t wake_all();
  // Ends every wait with an error reply -CODE message.
  void fail_all(std::string_view code, std::string_view message);

  // Moves a parked waiter to the back of another queue (a condition waiter
  // going on to wait for its lock). Its session stays parked.
  void move_to(Waiter& w, WaitQueue& other);

 private:
  void finish(Waiter& w);
  Object& owner_;
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  std::size_t size_ = 0;
  int waking_ = 0;
  bool again_ = false;
};

}  // namespace procshare::server

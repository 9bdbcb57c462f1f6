#include "procshare/server/wait_queue.hpp"

#include <algorithm>
#include <vector>

#include "procshare/server/object.hpp"
#include "procshare/server/session.hpp"

namespace procshare::server {

WaitQueue::WaitQueue(Object& owner) : owner_(owner) {
  owner.wait_queues_.push_back(this);
}

WaitQueue::~WaitQueue() {
  // The owner is going away; any waiter still here must not point at us.
  while (head_) remove(*head_);
  auto& qs = owner_.wait_queues_;
  qs.erase(std::remove(qs.begin(), qs.end(), this), qs.end());
}

void WaitQueue::push(Waiter& w) {
  w.queue = this;
  w.prev = tail_;
  w.next = nullptr;
  if (tail_) {
    tail_->next = &w;
  } else {
    head_ = &w;
  }
  tail_ = &w;
  ++size_;
}

void WaitQueue::remove(Waiter& w) {
  if (w.queue != this) return;
  if (w.prev) {
    w.prev->next = w.next;
  } else {
    head_ = w.next;
  }
  if (w.next) {
    w.next->prev = w.prev;
  } else {
    tail_ = w.prev;
  }
  w.prev = w.next = nullptr;
  w.queue = nullptr;
  --size_;
}

void WaitQueue::move_to(Waiter& w, WaitQueue& other) {
  remove(w);
  other.push(w);
}

void WaitQueue::finish(Waiter& w) {
  if (w.queue) w.queue->remove(w);
  if (w.session) w.session->resume();
}

std::size_t WaitQueue::wake() {
  if (waking_) {  // a try_complete changed state again: the outer loop rescans
    again_ = true;
    return 0;
  }
  ++waking_;
  std::size_t done = 0;
  do {
    again_ = false;
    while (Waiter* w = head_) {
      if (w->try_complete && w->try_complete(w->session->out)) {
        finish(*w);
        ++done;
      } else if (w->queue == this) {
        break;  // the first in line cannot go on: nobody behind it may overtake
      }
      // else: try_complete moved the waiter to another queue (re-parked).
    }
  } while (again_);
  --waking_;
  return done;
}

std::size_t WaitQueue::wake_all() {
  std::vector<Waiter*> snapshot;
  for (Waiter* w = head_; w; w = w->next) snapshot.push_back(w);
  std::size_t done = 0;
  for (Waiter* w : snapshot) {
    if (w->queue != this) continue;  // left meanwhile
    if (w->try_complete && w->try_complete(w->session->out)) {
      finish(*w);
      ++done;
    }
  }
  return done;
}

void WaitQueue::fail_all(std::string_view code, std::string_view message) {
  while (Waiter* w = head_) {
    w->session->out.error(code, message);
    finish(*w);
  }
}

}  // namespace procshare::server

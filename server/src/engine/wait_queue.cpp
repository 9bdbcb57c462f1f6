#include "procshare/server/wait_queue.hpp"

#include <algorithm>
#include <vector>

#include "procshare/server/object.hpp"
#include "procshare/server/wait_scheduler.hpp"

namespace procshare::server {

bool Waiter::waiting_in(const WaitQueue& q) const {
  return std::any_of(links_.begin(), links_.end(), [&](const Link& l) { return l.queue == &q; });
}

bool Waiter::linked() const {
  return std::any_of(links_.begin(), links_.end(), [](const Link& l) { return l.queue; });
}

WaitQueue::WaitQueue(Object& owner) : owner_(owner) {
  owner.wait_queues_.push_back(this);
}

WaitQueue::~WaitQueue() {
  // The owner is going away; no waiter may still point at us, and the
  // scheduler must not serve us.
  while (head_) unlink(*head_);
  if (pending_ != Pending::none && owner_.scheduler_) {
    auto& r = owner_.scheduler_->ready_;
    r.erase(std::remove(r.begin(), r.end(), this), r.end());
  }
  auto& qs = owner_.wait_queues_;
  qs.erase(std::remove(qs.begin(), qs.end(), this), qs.end());
}

void WaitQueue::link(Waiter::Link& l) {
  l.queue = this;
  l.prev = tail_;
  l.next = nullptr;
  if (tail_) {
    tail_->next = &l;
  } else {
    head_ = &l;
  }
  tail_ = &l;
  ++size_;
}

void WaitQueue::unlink(Waiter::Link& l) {
  if (l.queue != this) return;
  if (l.prev) {
    l.prev->next = l.next;
  } else {
    head_ = l.next;
  }
  if (l.next) {
    l.next->prev = l.prev;
  } else {
    tail_ = l.prev;
  }
  l.prev = l.next = nullptr;
  l.queue = nullptr;
  --size_;
}

void WaitQueue::notify() {
  if (empty()) return;  // the common case: nobody to tell
  if (pending_ == Pending::none && owner_.scheduler_) owner_.scheduler_->ready(*this);
  if (pending_ == Pending::none) pending_ = Pending::one;
}

void WaitQueue::notify_all() {
  if (empty()) return;
  if (pending_ == Pending::none && owner_.scheduler_) owner_.scheduler_->ready(*this);
  pending_ = Pending::all;
}

void WaitQueue::move_to(Waiter& w, WaitQueue& other) {
  for (Waiter::Link& l : w.links_) {
    if (l.queue == this) {
      unlink(l);
      other.link(l);
      other.notify();  // it may be able to go on at once
      return;
    }
  }
}

void WaitQueue::finish_all(WaitStatus status) {
  while (Waiter* w = front()) {
    w->outcome.status = status;
    if (w->scheduler_) {
      w->scheduler_->complete(*w);
    } else {
      unlink(*head_);
    }
  }
}

void WaitQueue::serve(Pending how) {
  if (how == Pending::all) {
    // Offer the change to every waiter present now, once, in arrival order.
    std::vector<Waiter*> snapshot;
    for (Waiter::Link* l = head_; l; l = l->next) snapshot.push_back(l->waiter);
    for (Waiter* w : snapshot) {
      if (!w->waiting_in(*this)) continue;  // left meanwhile
      std::size_t index = 0;
      for (const Waiter::Link& l : w->links_) {
        if (l.queue == this) index = l.index;
      }
      if (w->try_complete && w->try_complete(*w, Wake{index, true})) w->scheduler_->complete(*w);
    }
    return;
  }
  while (Waiter::Link* l = head_) {
    Waiter& w = *l->waiter;
    if (w.try_complete && w.try_complete(w, Wake{l->index, true})) {
      w.scheduler_->complete(w);
    } else if (head_ == l) {
      break;  // the first in line cannot go on: nobody behind it may overtake
    }
    // else: it moved to another queue (re-parked); look at the new first.
  }
}

}  // namespace procshare::server

#include "procshare/server/wait_scheduler.hpp"

#include "procshare/server/session.hpp"

namespace procshare::server {

WaitScheduler::~WaitScheduler() {
  for (WaitQueue* q : ready_) q->pending_ = WaitQueue::Pending::none;
}

void WaitScheduler::park(Waiter& w, std::span<WaitQueue* const> queues) {
  w.scheduler_ = this;
  w.outcome.status = WaitStatus::pending;
  w.links_.clear();
  w.links_.resize(queues.size());  // never resized again while linked
  for (std::size_t i = 0; i < queues.size(); ++i) {
    w.links_[i].waiter = &w;
    w.links_[i].index = i;
    queues[i]->link(w.links_[i]);
  }
  index(w);
}

void WaitScheduler::unlink_all(Waiter& w) {
  for (Waiter::Link& l : w.links_) {
    if (l.queue) l.queue->unlink(l);
  }
}

void WaitScheduler::complete(Waiter& w) {
  if (w.outcome.status == WaitStatus::pending) w.outcome.status = WaitStatus::done;
  unlink_all(w);
  unindex(w);
  if (on_done && w.logged_as && w.outcome.status == WaitStatus::done) on_done(w);
  if (w.session) w.session->woken();
}

void WaitScheduler::withdraw(Waiter& w) {
  unlink_all(w);
  unindex(w);
}

void WaitScheduler::index(Waiter& w) {
  if (w.deadline == Clock::time_point::max()) return;  // waits forever: nothing to index
  bool earliest = deadlines_.empty() || w.deadline < deadlines_.begin()->first;
  deadlines_.emplace(w.deadline, &w);
  w.indexed_ = true;
  if (earliest && on_deadline_change) on_deadline_change();
}

void WaitScheduler::unindex(Waiter& w) {
  if (!w.indexed_) return;
  // The entry is found by its current deadline: set_deadline() keeps them in
  // step.
  auto range = deadlines_.equal_range({w.deadline, &w});
  deadlines_.erase(range.first, range.second);
  w.indexed_ = false;
}

void WaitScheduler::set_deadline(Waiter& w, Clock::time_point deadline) {
  unindex(w);
  w.deadline = deadline;
  if (w.linked() && !w.finished()) index(w);
}

void WaitScheduler::ready(WaitQueue& q) {
  ready_.push_back(&q);
}

void WaitScheduler::run() {
  if (running_) return;
  running_ = true;
  // Index-based: serving a queue may append more.
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    WaitQueue* q = ready_[i];
    auto how = q->pending_;
    q->pending_ = WaitQueue::Pending::none;
    q->serve(how);
  }
  ready_.clear();
  running_ = false;
}

std::optional<Clock::time_point> WaitScheduler::next_deadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

bool WaitScheduler::timeout(Waiter& w) {
  unindex(w);
  bool over = true;
  if (w.on_timeout) {
    over = w.on_timeout(w);
  } else {
    w.outcome.status = WaitStatus::timed_out;
  }
  if (over || w.finished()) {
    if (w.outcome.status == WaitStatus::pending) w.outcome.status = WaitStatus::timed_out;
    complete(w);
    return true;
  }
  index(w);  // re-parked, perhaps with a new deadline
  return false;
}

std::size_t WaitScheduler::expire_due(Clock::time_point now) {
  std::size_t ended = 0;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    Waiter* w = deadlines_.begin()->second;
    if (timeout(*w)) ++ended;
  }
  run();
  return ended;
}

bool WaitScheduler::expire(Waiter& w) {
  bool over = timeout(w);
  run();
  return over;
}

}  // namespace procshare::server

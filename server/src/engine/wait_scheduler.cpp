#include "procshare/server/wait_scheduler.hpp"

#include <algorithm>

#include "procshare/server/session.hpp"

namespace procshare::server {

WaitScheduler::~WaitScheduler() {
  for (WaitQueue* q : ready_) q->pending_ = WaitQueue::Pending::none;
  for (auto& [when, a] : alarms_) a->scheduler_ = nullptr;
}

void Alarm::arm(WaitScheduler* scheduler, Clock::time_point when) {
  disarm();
  when_ = when;
  if (!scheduler) return;
  const auto before = scheduler->next_deadline();
  scheduler->alarms_.emplace(when, this);
  scheduler_ = scheduler;
  if ((!before || when < *before) && scheduler->on_deadline_change) {
    scheduler->on_deadline_change();
  }
}

void Alarm::disarm() {
  if (!scheduler_) return;
  scheduler_->alarms_.erase({when_, this});
  scheduler_ = nullptr;
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
  if (deadlines_.empty() && alarms_.empty()) return std::nullopt;
  if (alarms_.empty()) return deadlines_.begin()->first;
  if (deadlines_.empty()) return alarms_.begin()->first;
  return std::min(deadlines_.begin()->first, alarms_.begin()->first);
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
  // Alarms first: a lease that ran out frees what a waiter due at the same
  // moment may still take.
  while (!alarms_.empty() && alarms_.begin()->first <= now) {
    Alarm* a = alarms_.begin()->second;
    alarms_.erase(alarms_.begin());
    a->scheduler_ = nullptr;
    if (a->on_due_) a->on_due_();  // may arm it again
  }
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

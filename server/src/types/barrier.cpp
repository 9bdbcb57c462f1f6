#include "barrier.hpp"

#include "procshare/server/errors.hpp"

namespace procshare::server {

std::shared_ptr<BarrierObject::Arrival> BarrierObject::arrive() {
  if (broken_) fail(ErrorCode::broken, "barrier is broken");
  auto a = std::make_shared<Arrival>();
  a->index = waiting();
  arrivals_.push_back(a);
  if (waiting() == parties_) finish_cycle(Arrival::State::passed);
  return a;
}

void BarrierObject::abort() {
  broken_ = true;
  finish_cycle(Arrival::State::broken);
}

void BarrierObject::reset() {
  broken_ = false;  // before waking: the waiters' own records say BROKEN
  finish_cycle(Arrival::State::broken);
}

void BarrierObject::finish_cycle(Arrival::State outcome) {
  // Detach the cycle first: a woken client may arrive again (a pipelined
  // BARRIER.WAIT) and must start the next cycle, not join this one.
  auto cycle = std::move(arrivals_);
  arrivals_.clear();
  for (auto& a : cycle) a->state = outcome;
  waiters_.notify_all();
}

void BarrierObject::describe(Fields& out) const {
  out.add("parties", FieldValue(parties_));
  out.add("waiting", FieldValue(waiting()));
  out.add("broken", FieldValue(broken_));
}

}  // namespace procshare::server

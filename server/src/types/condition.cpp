#include "condition.hpp"

#include "procshare/server/wait_scheduler.hpp"

namespace procshare::server {

ConditionObject::ConditionObject(std::shared_ptr<LockObject> named_lock,
                                 std::uint64_t* abandoned_total, std::int64_t* tokens)
    : named_lock_(std::move(named_lock)), waiters_(*this) {
  if (!named_lock_) own_lock_.emplace(*this, /*reentrant=*/true, abandoned_total, tokens);
}

std::shared_ptr<Object> ConditionObject::lock_holder(const std::shared_ptr<Object>& self) const {
  if (named_lock_) return named_lock_;
  return self;
}

void ConditionObject::notify(std::int64_t n) {
  WaitQueue& target = lock().waiters();
  for (; n != 0; --n) {
    Waiter* w = waiters_.front();
    if (!w) break;
    // Notified: the wait's timeout no longer applies, only the reacquire is
    // left and it has none (as in Python).
    if (WaitScheduler* s = w->scheduler()) {
      s->set_deadline(*w, Clock::time_point::max());
    } else {
      w->deadline = Clock::time_point::max();
    }
    waiters_.move_to(*w, target);
  }
}

std::string ConditionObject::options_key() const {
  return named_lock_ ? "lock=" + named_lock_->name() : "lock=";
}

void ConditionObject::describe(Fields& out) const {
  out.add("lock", named_lock_ ? named_lock_->name() : name());
  auto owner = lock().owner();
  out.add("owner", owner ? FieldValue(static_cast<std::int64_t>(*owner)) : FieldValue(Null{}));
  out.add("depth", FieldValue(lock().depth()));
  out.add("abandoned", FieldValue(lock().abandoned()));
  out.add("expired", FieldValue(lock().expired()));
  out.add("expires", expires_field(lock()));
}

void ConditionObject::client_gone(ClientId c) {
  if (own_lock_) own_lock_->client_gone(c);
}

}  // namespace procshare::server

#include "semaphore.hpp"

#include <algorithm>
#include <limits>

#include "procshare/server/errors.hpp"

namespace procshare::server {

SemaphoreObject::SemaphoreObject(std::int64_t initial, bool bounded, bool unowned)
    : waiters_(*this), value_(initial), initial_(initial), bounded_(bounded), unowned_(unowned) {}

bool SemaphoreObject::acquire_now(ClientId c, bool queued, bool* previous_died) {
  if (value_ <= 0 || (!queued && !waiters_.empty())) return false;
  --value_;
  if (!unowned_) ++permits_[c];
  if (previous_died) *previous_died = reclaimed_ > 0;
  if (reclaimed_ > 0) --reclaimed_;
  if (!expired_owners_.empty()) std::erase(expired_owners_, c);
  return true;
}

std::int64_t SemaphoreObject::held_by(ClientId c) const {
  auto it = permits_.find(c);
  return it == permits_.end() ? 0 : it->second;
}

void SemaphoreObject::set_lease(ClientId c, Clock::duration length) {
  if (unowned_) fail(ErrorCode::valueerror, "an UNOWNED semaphore books no permits to lease");
  if (held_by(c) == 0) fail(ErrorCode::notowner, "this client holds no permit");
  leases_[c] = Clock::now() + length;
  arm_next();
}

void SemaphoreObject::arm_next() {
  if (leases_.empty()) return alarm_.disarm();
  auto first = leases_.begin()->second;
  for (const auto& [c, t] : leases_) first = std::min(first, t);
  if (!alarm_.armed() || alarm_.when() != first) alarm_.arm(scheduler(), first);
}

void SemaphoreObject::leases_over() {
  const auto now = Clock::now();
  std::vector<ClientId> over;
  for (const auto& [c, t] : leases_) {
    if (t <= now) over.push_back(c);
  }
  for (ClientId c : over) {
    ++expired_;
    client_gone(c);
    expired_owners_.push_back(c);  // after client_gone, which forgets it
  }
  arm_next();
}

void SemaphoreObject::release(ClientId c, std::int64_t n) {
  if (n < 1) fail(ErrorCode::valueerror, "n must be one or more");
  if (n > std::numeric_limits<std::int64_t>::max() - value_) {
    fail(ErrorCode::valueerror, "semaphore value would overflow");
  }
  if (bounded_ && value_ + n > initial_) {
    fail(ErrorCode::valueerror, "Semaphore released too many times");
  }
  if (!unowned_) {
    auto it = permits_.find(c);
    std::int64_t held = it == permits_.end() ? 0 : it->second;
    if (held == 0 &&
        std::find(expired_owners_.begin(), expired_owners_.end(), c) != expired_owners_.end()) {
      std::erase(expired_owners_, c);
      fail(ErrorCode::notowner, "the permits' lease ran out; they were given back");
    }
    if (held < n) {
      fail(ErrorCode::notowner,
           held == 0 ? std::string("cannot release a permit this client does not hold")
                     : "this client holds only " + std::to_string(held) + " permit(s)");
    }
    it->second -= n;
    if (it->second == 0) {
      permits_.erase(it);
      if (leases_.erase(c)) arm_next();
    }
  }
  value_ += n;
  waiters_.notify();
}

void SemaphoreObject::client_gone(ClientId c) {
  if (!expired_owners_.empty()) std::erase(expired_owners_, c);
  if (leases_.erase(c)) arm_next();
  auto it = permits_.find(c);
  if (it == permits_.end()) return;
  std::int64_t n = it->second;
  permits_.erase(it);
  ++abandoned_;
  reclaimed_ += n;
  if (n > std::numeric_limits<std::int64_t>::max() - value_) {
    value_ = std::numeric_limits<std::int64_t>::max();
  } else {
    value_ += n;
  }
  if (bounded_) value_ = std::min(value_, initial_);
  waiters_.notify();
}

std::string SemaphoreObject::options_key() const {
  return "value=" + std::to_string(initial_) + (unowned_ ? " unowned" : "");
}

void SemaphoreObject::describe(Fields& out) const {
  out.add("value", FieldValue(value_));
  out.add("initial", FieldValue(initial_));
  out.add("unowned", FieldValue(unowned_));
  out.add("abandoned", FieldValue(abandoned_));
  out.add("expired", FieldValue(expired_));
  out.add("leased", leases_.size());
}

}  // namespace procshare::server

#include "semaphore.hpp"

#include <algorithm>
#include <limits>

#include "procshare/server/errors.hpp"

namespace procshare::server {

SemaphoreObject::SemaphoreObject(std::int64_t initial, bool bounded, bool unowned)
    : waiters_(*this), value_(initial), initial_(initial), bounded_(bounded), unowned_(unowned) {}

bool SemaphoreObject::acquire_now(ClientId c, bool queued) {
  if (value_ <= 0 || (!queued && !waiters_.empty())) return false;
  --value_;
  if (!unowned_) ++permits_[c];
  return true;
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
    if (held < n) {
      fail(ErrorCode::notowner,
           held == 0 ? std::string("cannot release a permit this client does not hold")
                     : "this client holds only " + std::to_string(held) + " permit(s)");
    }
    it->second -= n;
    if (it->second == 0) permits_.erase(it);
  }
  value_ += n;
  waiters_.notify();
}

void SemaphoreObject::client_gone(ClientId c) {
  auto it = permits_.find(c);
  if (it == permits_.end()) return;
  std::int64_t n = it->second;
  permits_.erase(it);
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
}

}  // namespace procshare::server

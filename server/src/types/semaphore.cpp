#include "semaphore.hpp"

#include <algorithm>
#include <limits>

#include "procshare/server/errors.hpp"

namespace procshare::server {

SemaphoreObject::SemaphoreObject(std::int64_t initial, bool bounded)
    : waiters_(*this), value_(initial), initial_(initial), bounded_(bounded) {}

bool SemaphoreObject::acquire_now(ClientId c, bool queued) {
  if (value_ <= 0 || (!queued && !waiters_.empty())) return false;
  --value_;
  ++permits_[c];
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
  value_ += n;
  if (auto it = permits_.find(c); it != permits_.end()) {
    it->second -= std::min(n, it->second);
    if (it->second == 0) permits_.erase(it);
  }
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
  return "value=" + std::to_string(initial_);
}

void SemaphoreObject::describe(Fields& out) const {
  out.add("value", FieldValue(value_));
  out.add("initial", FieldValue(initial_));
}

}  // namespace procshare::server

#include "lock.hpp"

#include <algorithm>
#include <chrono>

#include "procshare/server/errors.hpp"

namespace procshare::server {

FieldValue expires_field(const LockCore& core) {
  auto end = core.lease_end();
  if (!end) return Null{};
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*end - Clock::now()).count();
  return FieldValue(static_cast<std::int64_t>(std::max<std::int64_t>(0, left)));
}

LockCore::LockCore(Object& waiters_owner, bool reentrant, std::uint64_t* abandoned_total,
                   std::int64_t* tokens)
    : waiters_(waiters_owner),
      reentrant_(reentrant),
      abandoned_total_(abandoned_total),
      tokens_(tokens) {}

std::optional<ClientId> LockCore::owner() const {
  if (depth_ == 0) return std::nullopt;
  return owner_;
}

std::int64_t LockCore::acquire_now(ClientId c, std::int64_t depth, bool queued,
                                   bool* previous_died) {
  if (depth_ > 0) {
    // Re-entry. A plain lock acquired twice by its owner waits, as Python's
    // Lock does (the client deadlocks itself unless another one releases).
    if (reentrant_ && owner_ == c) {
      depth_ += depth;
      return token_;
    }
    return 0;
  }
  if (!queued && !waiters_.empty()) return 0;
  owner_ = c;
  depth_ = depth;
  token_ = tokens_ ? ++*tokens_ : token_ + 1;
  if (previous_died) *previous_died = owner_died_;
  owner_died_ = false;
  if (!expired_owners_.empty()) forget_expired(c);
  return token_;
}

void LockCore::set_lease(ClientId c, Clock::duration length) {
  if (!held_by(c)) {
    check_not_expired(c);
    fail(ErrorCode::notowner, "this client does not hold the lock");
  }
  lease_ = length;
  if (length <= Clock::duration::zero()) {
    alarm_.disarm();
    return;
  }
  alarm_.arm(waiters_.owner().scheduler(), Clock::now() + length);
}

std::optional<Clock::time_point> LockCore::lease_end() const {
  if (depth_ == 0 || lease_ <= Clock::duration::zero()) return std::nullopt;
  return alarm_.when();
}

void LockCore::lease_over() {
  if (depth_ == 0) return;
  ++expired_;
  const ClientId owner = owner_;
  client_gone(owner);
  expired_owners_.push_back(owner);  // after client_gone, which forgets it
}

void LockCore::forget_expired(ClientId c) {
  std::erase(expired_owners_, c);
}

void LockCore::check_not_expired(ClientId c) {
  if (std::find(expired_owners_.begin(), expired_owners_.end(), c) == expired_owners_.end()) {
    return;
  }
  forget_expired(c);
  fail(ErrorCode::notowner, "the lock's lease ran out; it may be held by another client now");
}

void LockCore::release(ClientId c) {
  if (!held_by(c)) check_not_expired(c);
  if (depth_ == 0) fail(ErrorCode::notowner, "release unlocked lock");
  if (reentrant_ && owner_ != c) fail(ErrorCode::notowner, "cannot release un-acquired lock");
  if (!reentrant_ || --depth_ == 0) free_and_wake();
}

std::int64_t LockCore::release_all(ClientId /*c*/) {
  std::int64_t saved = depth_;
  free_and_wake();
  return saved;
}

void LockCore::client_gone(ClientId c) {
  if (!expired_owners_.empty()) forget_expired(c);
  if (!held_by(c)) return;
  owner_died_ = true;
  ++abandoned_;
  if (abandoned_total_) ++*abandoned_total_;
  free_and_wake();
}

void LockCore::free_and_wake() {
  depth_ = 0;
  owner_ = 0;
  if (lease_ > Clock::duration::zero()) {
    lease_ = Clock::duration::zero();
    alarm_.disarm();
  }
  waiters_.notify();
}

void LockObject::describe(Fields& out) const {
  auto owner = core_.owner();
  out.add("owner", owner ? FieldValue(static_cast<std::int64_t>(*owner)) : FieldValue(Null{}));
  out.add("token", FieldValue(core_.token()));
  out.add("abandoned", FieldValue(core_.abandoned()));
  out.add("expired", FieldValue(core_.expired()));
  out.add("expires", expires_field(core_));
  if (core_.reentrant()) out.add("depth", FieldValue(core_.depth()));
}

}  // namespace procshare::server

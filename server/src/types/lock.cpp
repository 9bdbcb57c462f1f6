#include "lock.hpp"

#include "procshare/server/errors.hpp"

namespace procshare::server {

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

std::int64_t LockCore::acquire_now(ClientId c, std::int64_t depth, bool queued) {
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
  return token_;
}

void LockCore::release(ClientId c) {
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
  if (!held_by(c)) return;
  ++abandoned_;
  if (abandoned_total_) ++*abandoned_total_;
  free_and_wake();
}

void LockCore::free_and_wake() {
  depth_ = 0;
  owner_ = 0;
  waiters_.notify();
}

void LockObject::describe(Fields& out) const {
  auto owner = core_.owner();
  out.add("owner", owner ? FieldValue(static_cast<std::int64_t>(*owner)) : FieldValue(Null{}));
  out.add("token", FieldValue(core_.token()));
  out.add("abandoned", FieldValue(core_.abandoned()));
  if (core_.reentrant()) out.add("depth", FieldValue(core_.depth()));
}

}  // namespace procshare::server

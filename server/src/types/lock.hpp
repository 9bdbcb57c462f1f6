#pragma once
// lock and rlock (Python's threading.Lock / RLock), owned by client ids.
//
// LockCore is the lock's state and its FIFO of waiting clients. It is shared
// by LockObject (the `lock` / `rlock` objects) and by a condition that has no
// named lock of its own, so both get the same ownership, fencing and
// abandonment rules:
//  * every new owner gets a fresh fencing token from one server-wide counter
//    that only grows (Engine::fencing_tokens), so a token never repeats, not
//    even after the lock is deleted, overwritten or flushed and made again
//    (0 before the first acquire); an rlock re-entry keeps its token and adds
//    depth;
//  * `lock` may be released by any client (as Python's Lock); `rlock` only by
//    its owner;
//  * a departed owner's hold is dropped (client_gone) and counted in
//    `abandoned`; the next waiter in arrival order gets the lock.
//  * a lease (LOCK.ACQUIRE ... LEASE s) that runs out frees the lock as if
//    its owner had vanished (counted in `abandoned` and `expired`); the
//    former owner is remembered until it hears of it: its release or extend
//    is NOTOWNER, even on a plain lock (which any client may otherwise
//    release), so it can never free the next owner's hold by mistake;
//  * the next owner after an owner vanished (connection closed or lease run
//    out) learns it with its acquisition (`previous_died`, as a robust
//    mutex's EOWNERDEAD): the data the lock guards may be half-updated.
// The lock never stays free while clients wait for it: every release hands it
// to the first waiter that can take it (WaitQueue::wake).
#include <cstdint>
#include <optional>
#include <vector>

#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"
#include "procshare/server/wait_scheduler.hpp"

namespace procshare::server {

class LockCore {
 public:
  // `waiters_owner` is the object whose DESCRIBE counts the waiters and whose
  // deletion fails them. `abandoned_total` (may be null) is the server-wide
  // count of locks freed because their owner vanished. `tokens` (may be null:
  // a counter of this lock's own) is the server-wide last fencing token.
  LockCore(Object& waiters_owner, bool reentrant, std::uint64_t* abandoned_total,
           std::int64_t* tokens = nullptr);

  bool reentrant() const { return reentrant_; }
  bool locked() const { return depth_ > 0; }
  bool held_by(ClientId c) const { return depth_ > 0 && owner_ == c; }
  std::optional<ClientId> owner() const;
  std::int64_t token() const { return token_; }
  std::int64_t depth() const { return depth_; }
  std::int64_t abandoned() const { return abandoned_; }
  std::int64_t expired() const { return expired_; }
  WaitQueue& waiters() { return waiters_; }
  // The current hold's lease: its end (nullopt: none) and its length.
  std::optional<Clock::time_point> lease_end() const;
  Clock::duration lease() const { return lease_; }

  // Takes the lock for `c` without waiting, with `depth` levels (a condition
  // restoring its saved rlock depth). Returns the fencing token, or 0 when `c`
  // must wait. `queued` says the caller is the first waiter in line; a new
  // arrival never overtakes clients already waiting.
  // `previous_died` (may be null) is set to whether the previous owner
  // vanished while holding it; a new owner is told once.
  std::int64_t acquire_now(ClientId c, std::int64_t depth = 1, bool queued = false,
                           bool* previous_died = nullptr);
  // Puts the hold of `c` on a lease of `length` from now (zero: none).
  // Throws NOTOWNER when `c` does not hold the lock.
  void set_lease(ClientId c, Clock::duration length);
  // One release by `c`. Throws NOTOWNER for an unlocked lock, or for an rlock
  // that `c` does not hold. Wakes the next waiter when the lock becomes free.
  void release(ClientId c);
  // Frees the lock completely (a condition wait); returns the depth it had.
  // The caller has checked held_by(c).
  std::int64_t release_all(ClientId c);
  // `c` disconnected: drop its hold, if it still has one.
  void client_gone(ClientId c);
  // Throws NOTOWNER, once, if `c` lost the lock to its lease running out and
  // has not acquired it since.
  void check_not_expired(ClientId c);

 private:
  void free_and_wake();
  void lease_over();
  void forget_expired(ClientId c);

  WaitQueue waiters_;
  bool reentrant_;
  std::uint64_t* abandoned_total_;
  std::int64_t* tokens_;
  ClientId owner_ = 0;  // meaningful only while depth_ > 0
  std::int64_t depth_ = 0;
  std::int64_t token_ = 0;
  std::int64_t abandoned_ = 0;
  std::int64_t expired_ = 0;
  bool owner_died_ = false;  // the last owner vanished holding it; not told yet
  Clock::duration lease_{0};
  std::vector<ClientId> expired_owners_;  // lost it to a lease, not told yet
  Alarm alarm_{[this] { lease_over(); }};
};

// DESCRIBE's `expires`: milliseconds left of the hold's lease (null: none).
FieldValue expires_field(const LockCore& core);

class LockObject : public Object {
 public:
  LockObject(bool reentrant, std::uint64_t* abandoned_total, std::int64_t* tokens = nullptr)
      : core_(*this, reentrant, abandoned_total, tokens) {}

  LockCore& core() { return core_; }
  const LockCore& core() const { return core_; }

  std::size_t size() const override { return 0; }
  void describe(Fields& out) const override;
  void client_gone(ClientId c) override { core_.client_gone(c); }

 private:
  LockCore core_;
};

}  // namespace procshare::server

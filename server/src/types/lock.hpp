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
// The lock never stays free while clients wait for it: every release hands it
// to the first waiter that can take it (WaitQueue::wake).
#include <cstdint>
#include <optional>

#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"

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
  WaitQueue& waiters() { return waiters_; }

  // Takes the lock for `c` without waiting, with `depth` levels (a condition
  // restoring its saved rlock depth). Returns the fencing token, or 0 when `c`
  // must wait. `queued` says the caller is the first waiter in line; a new
  // arrival never overtakes clients already waiting.
  std::int64_t acquire_now(ClientId c, std::int64_t depth = 1, bool queued = false);
  // One release by `c`. Throws NOTOWNER for an unlocked lock, or for an rlock
  // that `c` does not hold. Wakes the next waiter when the lock becomes free.
  void release(ClientId c);
  // Frees the lock completely (a condition wait); returns the depth it had.
  // The caller has checked held_by(c).
  std::int64_t release_all(ClientId c);
  // `c` disconnected: drop its hold, if it still has one.
  void client_gone(ClientId c);

 private:
  void free_and_wake();

  WaitQueue waiters_;
  bool reentrant_;
  std::uint64_t* abandoned_total_;
  std::int64_t* tokens_;
  ClientId owner_ = 0;  // meaningful only while depth_ > 0
  std::int64_t depth_ = 0;
  std::int64_t token_ = 0;
  std::int64_t abandoned_ = 0;
};

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

#pragma once
// condition (Python's threading.Condition) over either its own reentrant lock
// (Python's default, an RLock) or a named `lock` / `rlock` object shared with
// LOCK.* users (`CREATE condition c LOCK name`).
//
// A wait releases the lock completely (an rlock's depth is saved), parks in
// `waiters_` until notified or timed out, then reacquires the lock -- with no
// timeout -- before replying. Notify moves waiters from `waiters_` to the back
// of the lock's own queue, so they reacquire in FIFO order behind clients that
// were already waiting for the lock.
#include <memory>
#include <optional>
#include <string>

#include "lock.hpp"
#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

class ConditionObject : public Object {
 public:
  // Own lock: `named_lock` null. Otherwise the named lock object (kept alive
  // here even if it is deleted from the keyspace).
  // `tokens`: the server-wide fencing token counter (LockCore).
  ConditionObject(std::shared_ptr<LockObject> named_lock, std::uint64_t* abandoned_total,
                  std::int64_t* tokens = nullptr);

  LockCore& lock() { return named_lock_ ? named_lock_->core() : *own_lock_; }
  const LockCore& lock() const { return named_lock_ ? named_lock_->core() : *own_lock_; }
  // The object a client must Session::hold() while it holds the lock: the
  // named lock, or this condition (`self`).
  std::shared_ptr<Object> lock_holder(const std::shared_ptr<Object>& self) const;
  WaitQueue& waiters() { return waiters_; }
  // The named lock (LOCK name), or null for a condition's own lock.
  const Object* named_lock() const { return named_lock_.get(); }

  // Moves up to `n` waiters (all when n < 0) on to reacquire the lock; the
  // caller has checked that it holds the lock.
  void notify(std::int64_t n);

  std::size_t size() const override { return 0; }
  std::string options_key() const override;
  void describe(Fields& out) const override;
  void client_gone(ClientId c) override;

 private:
  std::shared_ptr<LockObject> named_lock_;
  std::optional<LockCore> own_lock_;
  WaitQueue waiters_;
};

}  // namespace procshare::server

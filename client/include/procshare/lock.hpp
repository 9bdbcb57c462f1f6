#pragma once
// Lock and RLock: Python's Lock and RLock proxies (PROTOCOL.md §6 "lock"),
// with the standard library's Lockable and TimedLockable requirements, so
// std::lock_guard, std::unique_lock, std::scoped_lock and try_lock_for work:
//
//   auto lock = client.lock("printer");
//   {
//     std::lock_guard guard(lock);        // LOCK.ACQUIRE ... LOCK.RELEASE
//   }
//   std::unique_lock ul(lock, std::defer_lock);
//   if (ul.try_lock_for(100ms)) { ... }
//
// Ownership is per connection, so per thread and per process (client.hpp):
// when a holder thread ends or its process dies, the server frees the lock
// and wakes the next waiter. A Lock may be released by anyone (as Python's);
// an RLock only by the thread that holds it (NotOwner), and is re-entrant.
// acquire() returns the fencing token of PROTOCOL.md §6.
#include <chrono>
#include <cstdint>
#include <optional>

#include "procshare/lease.hpp"
#include "procshare/object.hpp"

namespace procshare {

namespace detail {

// The commands both lock types share; the server picks the behaviour by type.
class BasicLock : public Object {
 public:
  // Waits for the lock as long as it takes; returns its fencing token.
  std::int64_t acquire() const { return acquire_impl(std::nullopt); }
  // Waits at most `timeout`; returns the fencing token, or 0 if timed out.
  template <class Rep, class Period>
  std::int64_t acquire_for(std::chrono::duration<Rep, Period> timeout) const {
    return acquire_impl(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }
  // With a lease and/or a timeout, reporting whether the previous owner
  // died holding the lock (lease.hpp).
  Acquired acquire(const AcquireOptions& options) const;
  // Renews the lease: it now ends `lease` from now. NotOwner when this
  // connection does not hold the lock (its lease ran out, say).
  template <class Rep, class Period>
  void extend(std::chrono::duration<Rep, Period> lease) const {
    cmd("LOCK.EXTEND", timeout_arg(lease));
  }
  void release() const;
  bool locked() const;

  // Lockable / TimedLockable.
  void lock() const { acquire(); }
  bool try_lock() const { return acquire_impl(std::chrono::nanoseconds(0)) != 0; }
  void unlock() const { release(); }
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) const {
    return acquire_for(timeout) != 0;
  }
  template <class Clock, class Duration>
  bool try_lock_until(std::chrono::time_point<Clock, Duration> deadline) const {
    return acquire_impl(until(deadline)) != 0;
  }

 protected:
  using Object::Object;
  BasicLock() = default;
  std::int64_t acquire_impl(std::optional<std::chrono::nanoseconds> timeout) const;
};

}  // namespace detail

class Lock : public detail::BasicLock {
 public:
  Lock() = default;
  Lock(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : BasicLock(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { handle_repr(out, "lock"); }
};

class RLock : public detail::BasicLock {
 public:
  RLock() = default;
  RLock(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : BasicLock(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { handle_repr(out, "rlock"); }
};

}  // namespace procshare

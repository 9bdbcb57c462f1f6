#pragma once
// Semaphore and BoundedSemaphore: Python's semaphore proxies (PROTOCOL.md §6
// "semaphore"), with std::counting_semaphore's names (acquire, try_acquire,
// try_acquire_for, release) and lock()/unlock() so std::lock_guard works.
// Permits are owned by the connection that took them: the server gives back
// the permits of a thread or process that vanished. Releasing a
// BoundedSemaphore past its initial value throws ValueError.
#include <chrono>
#include <cstdint>
#include <optional>

#include "procshare/lease.hpp"
#include "procshare/object.hpp"

namespace procshare {

namespace detail {

class BasicSemaphore : public Object {
 public:
  // Takes a permit, waiting as long as it takes.
  void acquire() const { acquire_impl(std::nullopt); }
  bool try_acquire() const { return acquire_impl(std::chrono::nanoseconds(0)); }
  template <class Rep, class Period>
  bool try_acquire_for(std::chrono::duration<Rep, Period> timeout) const {
    return acquire_impl(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }
  template <class Clock, class Duration>
  bool try_acquire_until(std::chrono::time_point<Clock, Duration> deadline) const {
    return acquire_impl(until(deadline));
  }
  // With a lease and/or a timeout (lease.hpp): the lease covers every permit
  // this connection holds. previous_owner_died: the permit came back from a
  // holder that vanished.
  Acquired acquire(const AcquireOptions& options) const;
  // Renews the lease on every permit this connection holds.
  template <class Rep, class Period>
  void extend(std::chrono::duration<Rep, Period> lease) const {
    cmd("SEM.EXTEND", timeout_arg(lease));
  }
  // Gives back n permits.
  void release(std::int64_t n = 1) const;
  // The free permits now.
  std::int64_t value() const;

  void lock() const { acquire(); }
  bool try_lock() const { return try_acquire(); }
  void unlock() const { release(); }

 protected:
  using Object::Object;
  BasicSemaphore() = default;
  bool acquire_impl(std::optional<std::chrono::nanoseconds> timeout) const;
};

}  // namespace detail

class Semaphore : public detail::BasicSemaphore {
 public:
  Semaphore() = default;
  Semaphore(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : BasicSemaphore(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { handle_repr(out, "semaphore"); }
};

class BoundedSemaphore : public detail::BasicSemaphore {
 public:
  BoundedSemaphore() = default;
  BoundedSemaphore(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : BasicSemaphore(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { handle_repr(out, "boundedsemaphore"); }
};

}  // namespace procshare

#pragma once
// Condition: Python's Condition proxy (PROTOCOL.md §6 "condition"). It is
// its own lock (Lockable, TimedLockable), and waits like
// std::condition_variable_any, with or without a predicate:
//
//   auto cond = client.condition("ready");
//   auto flag = client.value<int>("flag");
//   {
//     std::unique_lock lk(cond);
//     cond.wait([&] { return flag.get() == 1; });  // re-checked after each wakeup
//   }
//   // elsewhere:
//   { std::lock_guard g(cond); flag = 1; cond.notify_all(); }
//
// wait/notify by a thread that does not hold the condition throws NotOwner.
// The server reacquires the condition before a wait returns, also on timeout.
#include <chrono>
#include <cstdint>
#include <optional>

#include "procshare/lease.hpp"
#include "procshare/object.hpp"

namespace procshare {

class Condition : public Object {
 public:
  Condition() = default;
  Condition(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { handle_repr(out, "condition"); }

  // The lock side.
  void acquire() const { acquire_impl(std::nullopt); }
  // With a lease and/or a timeout (lease.hpp). A wait() keeps the lease's
  // length: the lock comes back with a fresh lease as long.
  Acquired acquire(const AcquireOptions& options) const;
  template <class Rep, class Period>
  void extend(std::chrono::duration<Rep, Period> lease) const {
    cmd("COND.EXTEND", timeout_arg(lease));
  }
  void release() const;
  void lock() const { acquire(); }
  bool try_lock() const { return acquire_impl(std::chrono::nanoseconds(0)); }
  template <class Rep, class Period>
  bool try_lock_for(std::chrono::duration<Rep, Period> timeout) const {
    return acquire_impl(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }
  template <class Clock, class Duration>
  bool try_lock_until(std::chrono::time_point<Clock, Duration> deadline) const {
    return acquire_impl(until(deadline));
  }
  void unlock() const { release(); }

  // Waits for a notification (must hold the condition).
  void wait() const { wait_impl(std::nullopt); }
  // Waits at most `timeout`; false if it timed out.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    return wait_impl(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }
  template <class Clock, class Duration>
  bool wait_until(std::chrono::time_point<Clock, Duration> deadline) const {
    return wait_impl(until(deadline));
  }
  // Waits until pred() is true (checked first, and after every wakeup).
  template <class Predicate>
  void wait(Predicate pred) const {
    while (!pred()) wait();
  }
  // The same with a deadline; returns pred() (false: timed out first).
  template <class Clock, class Duration, class Predicate>
  bool wait_until(std::chrono::time_point<Clock, Duration> deadline, Predicate pred) const {
    while (!pred()) {
      if (!wait_until(deadline)) return pred();
    }
    return true;
  }
  template <class Rep, class Period, class Predicate>
  bool wait_for(std::chrono::duration<Rep, Period> timeout, Predicate pred) const {
    return wait_until(std::chrono::steady_clock::now() + timeout, std::move(pred));
  }

  // Wakes up to n waiters.
  void notify(std::int64_t n = 1) const;
  void notify_one() const { notify(1); }
  void notify_all() const;

 private:
  bool acquire_impl(std::optional<std::chrono::nanoseconds> timeout) const;
  bool wait_impl(std::optional<std::chrono::nanoseconds> timeout) const;
};

}  // namespace procshare

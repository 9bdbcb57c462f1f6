#pragma once
// Event and Barrier: Python's Event and Barrier proxies (PROTOCOL.md §6).
//
//   auto go = client.event("go");
//   go.wait();                      // until someone calls go.set()
//   auto b = client.barrier("phase", 4);
//   std::int64_t i = b.wait();      // 0..3: the arrival index
//
// A barrier breaks when a waiter times out or vanishes, or on abort(); every
// waiter then gets BrokenBarrier, until reset().
#include <chrono>
#include <cstdint>
#include <optional>

#include "procshare/object.hpp"

namespace procshare {

class Event : public Object {
 public:
  Event() = default;
  Event(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { handle_repr(out, "event"); }

  void set() const;
  void clear() const;
  bool is_set() const;
  // Waits until the event is set.
  void wait() const { wait_impl(std::nullopt); }
  // Waits at most `timeout`; returns whether the event is set.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    return wait_impl(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }

 private:
  bool wait_impl(std::optional<std::chrono::nanoseconds> timeout) const;
};

class Barrier : public Object {
 public:
  Barrier() = default;
  Barrier(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { handle_repr(out, "barrier"); }

  // Waits for every party; returns this caller's arrival index (0..parties-1).
  // Throws BrokenBarrier when the barrier is or becomes broken.
  std::int64_t wait() const { return wait_impl(std::nullopt); }
  // As wait(); a timeout breaks the barrier (as in Python) and throws BrokenBarrier.
  template <class Rep, class Period>
  std::int64_t wait_for(std::chrono::duration<Rep, Period> timeout) const {
    return wait_impl(std::chrono::duration_cast<std::chrono::nanoseconds>(timeout));
  }
  // std::barrier's name for wait().
  void arrive_and_wait() const { wait(); }
  // Back to the initial, unbroken state; current waiters get BrokenBarrier.
  void reset() const;
  // Breaks the barrier: current and future waiters get BrokenBarrier.
  void abort() const;
  std::int64_t parties() const;
  std::int64_t n_waiting() const;
  bool broken() const;

 private:
  std::int64_t wait_impl(std::optional<std::chrono::nanoseconds> timeout) const;
};

}  // namespace procshare

// The waiting types' proxies (lock, rlock, semaphores, condition, event,
// barrier) and the Client factories of the non-template proxies.
//
// A timeout maps onto the wire as PROTOCOL.md §6 says: none = wait forever,
// zero or less = NOWAIT, otherwise TIMEOUT <seconds>; the connection's I/O
// timeout is stretched by the wait (Client::call_blocking).
#include <optional>
#include <vector>

#include "procshare/condition.hpp"
#include "procshare/event.hpp"
#include "procshare/lock.hpp"
#include "procshare/namespace.hpp"
#include "procshare/semaphore.hpp"

namespace procshare {

namespace {

using std::chrono::nanoseconds;

// Runs `command name [NOWAIT | TIMEOUT s]` and returns its integer reply.
// Python's `acquire(blocking=False)` is NOWAIT; a positive timeout waits.
std::int64_t timed(const Client& client, std::string_view command, const std::string& name,
                   std::optional<nanoseconds> timeout, bool nowait_supported = true) {
  if (!timeout) {
    return client.command_blocking(std::nullopt, command, name).integer;
  }
  if (timeout->count() <= 0 && nowait_supported) {
    return client.command(command, name, "NOWAIT").integer;
  }
  const auto wait =
      std::chrono::ceil<std::chrono::milliseconds>(std::max(*timeout, nanoseconds(0)));
  return client.command_blocking(wait, command, name, "TIMEOUT", detail::seconds_arg(*timeout))
      .integer;
}

// `command name [TIMEOUT s | NOWAIT] [LEASE s] WITHSTATE` -> Acquired.
Acquired acquire_with_state(const Client& client, std::string_view command, const std::string& name,
                            const AcquireOptions& o, bool nowait_supported = true) {
  std::vector<std::string> args{std::string(command), name};
  std::optional<std::chrono::milliseconds> wait;
  if (o.timeout) {
    if (o.timeout->count() <= 0 && nowait_supported) {
      args.emplace_back("NOWAIT");
      wait = std::chrono::milliseconds(0);
    } else {
      args.insert(args.end(), {"TIMEOUT", detail::seconds_arg(*o.timeout)});
      wait = std::chrono::ceil<std::chrono::milliseconds>(std::max(*o.timeout, nanoseconds(0)));
    }
  }
  if (o.lease) args.insert(args.end(), {"LEASE", detail::seconds_arg(*o.lease)});
  args.emplace_back("WITHSTATE");
  std::vector<std::string_view> views(args.begin(), args.end());
  protocol::Reply r = client.call_blocking(views, wait);
  if (r.elements.size() != 2) throw ProtocolError(std::string(command) + " WITHSTATE: not a pair");
  return {r.elements[0].integer, r.elements[1].integer != 0};
}

template <class Proxy>
Proxy named(const Client& c, std::string_view type, std::string_view name,
            std::vector<std::string> options = {}) {
  c.create(type, name, options);
  return Proxy(c, std::string(name));
}

template <class Proxy>
Proxy anonymous(const Client& c, std::string_view type, std::vector<std::string> options = {}) {
  auto ref = c.create_anonymous(type, options);
  std::string name = ref->name;
  return Proxy(c, std::move(name), std::move(ref));
}

}  // namespace

namespace detail {

std::int64_t BasicLock::acquire_impl(std::optional<nanoseconds> timeout) const {
  touch();
  return timed(client_, "LOCK.ACQUIRE", name_, timeout);
}

Acquired BasicLock::acquire(const AcquireOptions& options) const {
  touch();
  return acquire_with_state(client_, "LOCK.ACQUIRE", name_, options);
}

Acquired BasicSemaphore::acquire(const AcquireOptions& options) const {
  touch();
  return acquire_with_state(client_, "SEM.ACQUIRE", name_, options);
}

void BasicLock::release() const {
  cmd("LOCK.RELEASE");
}
bool BasicLock::locked() const {
  return cmd("LOCK.LOCKED").integer != 0;
}

bool BasicSemaphore::acquire_impl(std::optional<nanoseconds> timeout) const {
  touch();
  return timed(client_, "SEM.ACQUIRE", name_, timeout) != 0;
}

void BasicSemaphore::release(std::int64_t n) const {
  if (n == 1) {
    cmd("SEM.RELEASE");
  } else {
    cmd("SEM.RELEASE", n);
  }
}

std::int64_t BasicSemaphore::value() const {
  return cmd("SEM.VALUE").integer;
}

}  // namespace detail

// COND.ACQUIRE and COND.WAIT take TIMEOUT but no NOWAIT (PROTOCOL.md §6);
// TIMEOUT 0 means "do not wait".
bool Condition::acquire_impl(std::optional<nanoseconds> timeout) const {
  touch();
  return timed(client_, "COND.ACQUIRE", name_, timeout, false) != 0;
}

Acquired Condition::acquire(const AcquireOptions& options) const {
  touch();
  return acquire_with_state(client_, "COND.ACQUIRE", name_, options, false);
}

void Condition::release() const {
  cmd("COND.RELEASE");
}

bool Condition::wait_impl(std::optional<nanoseconds> timeout) const {
  touch();
  return timed(client_, "COND.WAIT", name_, timeout, false) != 0;
}

void Condition::notify(std::int64_t n) const {
  if (n == 1) {
    cmd("COND.NOTIFY");
  } else {
    cmd("COND.NOTIFY", n);
  }
}

void Condition::notify_all() const {
  cmd("COND.NOTIFYALL");
}

void Event::set() const {
  cmd("EVENT.SET");
}
void Event::clear() const {
  cmd("EVENT.CLEAR");
}
bool Event::is_set() const {
  return cmd("EVENT.ISSET").integer != 0;
}

bool Event::wait_impl(std::optional<nanoseconds> timeout) const {
  touch();
  return timed(client_, "EVENT.WAIT", name_, timeout, false) != 0;
}

std::int64_t Barrier::wait_impl(std::optional<nanoseconds> timeout) const {
  touch();
  return timed(client_, "BARRIER.WAIT", name_, timeout, false);
}

void Barrier::reset() const {
  cmd("BARRIER.RESET");
}
void Barrier::abort() const {
  cmd("BARRIER.ABORT");
}
std::int64_t Barrier::parties() const {
  return cmd("BARRIER.PARTIES").integer;
}
std::int64_t Barrier::n_waiting() const {
  return cmd("BARRIER.WAITING").integer;
}
bool Barrier::broken() const {
  return cmd("BARRIER.BROKEN").integer != 0;
}

Namespace Client::namespace_(std::string_view name) const {
  return named<Namespace>(*this, "namespace", name);
}
Namespace Client::namespace_() const {
  return anonymous<Namespace>(*this, "namespace");
}
Lock Client::lock(std::string_view name) const {
  return named<Lock>(*this, "lock", name);
}
Lock Client::lock() const {
  return anonymous<Lock>(*this, "lock");
}
RLock Client::rlock(std::string_view name) const {
  return named<RLock>(*this, "rlock", name);
}
RLock Client::rlock() const {
  return anonymous<RLock>(*this, "rlock");
}

Semaphore Client::semaphore(std::string_view name, std::int64_t value) const {
  return named<Semaphore>(*this, "semaphore", name, {"VALUE", std::to_string(value)});
}
Semaphore Client::semaphore(std::int64_t value) const {
  return anonymous<Semaphore>(*this, "semaphore", {"VALUE", std::to_string(value)});
}
BoundedSemaphore Client::bounded_semaphore(std::string_view name, std::int64_t value) const {
  return named<BoundedSemaphore>(*this, "boundedsemaphore", name, {"VALUE", std::to_string(value)});
}
BoundedSemaphore Client::bounded_semaphore(std::int64_t value) const {
  return anonymous<BoundedSemaphore>(*this, "boundedsemaphore", {"VALUE", std::to_string(value)});
}

Condition Client::condition(std::string_view name, std::optional<std::string> lock) const {
  std::vector<std::string> options;
  if (lock) options = {"LOCK", *lock};
  return named<Condition>(*this, "condition", name, std::move(options));
}
Condition Client::condition() const {
  return anonymous<Condition>(*this, "condition");
}
Event Client::event(std::string_view name) const {
  return named<Event>(*this, "event", name);
}
Event Client::event() const {
  return anonymous<Event>(*this, "event");
}

Barrier Client::barrier(std::string_view name, std::int64_t parties) const {
  return named<Barrier>(*this, "barrier", name, {"PARTIES", std::to_string(parties)});
}
Barrier Client::barrier(std::int64_t parties) const {
  return anonymous<Barrier>(*this, "barrier", {"PARTIES", std::to_string(parties)});
}

}  // namespace procshare

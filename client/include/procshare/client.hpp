#pragma once
// procshare::Client: the handle every proxy holds. A Client is cheap to copy
// (copies share one state) and safe to use from any thread and after fork():
//
// * Threads: each thread talks over its own connection, opened on first use
//   and closed when the thread ends. Blocking commands (a queue get, a lock
//   acquire) therefore block only the calling thread, and ownership of locks
//   is per thread, as with Python's manager proxies and std::mutex.
// * fork(): a child never touches its parent's sockets. A pthread_atfork
//   handler closes the child's inherited copies (the parent's stay open), and
//   every call checks getpid(), so the first call in the child opens (and
//   authenticates, with the key the Client holds) a connection of its own.
// * Anonymous objects are reference counted through one extra "anchor"
//   connection per process, so a reference does not vanish with the thread
//   that took it, and does vanish with the process.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/address.hpp"
#include "procshare/codec.hpp"
#include "procshare/connection.hpp"
#include "procshare/errors.hpp"
#include "procshare/protocol/reply.hpp"

namespace procshare {

namespace detail {
class ClientState;
struct AnonRef;
}  // namespace detail

class Pipeline;
template <codable K, codable V>
class Dict;
template <codable T>
class List;
template <codable T>
class Set;
class Namespace;
template <codable T>
class Value;
template <codable T>
class Array;
template <codable T>
class Queue;
template <codable T>
class JoinableQueue;
class Lock;
class RLock;
class Semaphore;
class BoundedSemaphore;
class Condition;
class Event;
class Barrier;

// What DESCRIBE says about an object (PROTOCOL.md §5).
struct ObjectInfo {
  std::string type;
  std::int64_t size = 0;
  std::int64_t refs = 0;
  std::int64_t waiters = 0;
  // Every field as text (integers in decimal, null as ""), including the above.
  std::map<std::string, std::string> fields;
};

struct QueueOptions {
  std::size_t maxsize = 0;  // 0 = unbounded
  bool lifo = false;        // Queue only
  // A leased item delivered this many times without an ACK moves to the
  // queue named `dead_letter` (0: never).
  std::size_t max_deliveries = 0;
  std::string dead_letter;
};

class Client {
 public:
  // Connects to a server (PROTOCOL.md §1 defaults when the address is left
  // out). The first connection is opened and authenticated now, so a wrong
  // address or key fails here; the key is resolved once and kept, so forked
  // children authenticate with the same key.
  static Client connect(const Address& address = {}, const ConnectOptions& options = {});
  static Client connect(std::string_view address, const ConnectOptions& options = {});

  Client() = default;  // not connected: valid() is false
  bool valid() const { return state_ != nullptr; }

  // --- Commands -------------------------------------------------------------
  // Sends one command over this thread's connection; an error reply is thrown
  // as its exception class (errors.hpp).
  protocol::Reply call(std::span<const std::string_view> args) const;
  protocol::Reply call(std::initializer_list<std::string_view> args) const;
  // As call(), but error replies are returned as values.
  protocol::Reply call_raw(std::span<const std::string_view> args) const;
  // As call(), for a command that may wait up to `wait` (nullopt: forever):
  // the connection's io_timeout is extended by that much for this call only.
  protocol::Reply call_blocking(std::span<const std::string_view> args,
                                std::optional<std::chrono::milliseconds> wait) const;
  protocol::Reply call_blocking_raw(std::span<const std::string_view> args,
                                    std::optional<std::chrono::milliseconds> wait) const;
  // Any arguments: strings as they are, other values through their codec.
  template <class... A>
  protocol::Reply command(const A&... args) const;
  template <class... A>
  protocol::Reply command_blocking(std::optional<std::chrono::milliseconds> wait,
                                   const A&... args) const;

  // A batch of commands sent in one write (pipeline.hpp).
  Pipeline pipeline() const;

  std::string ping() const;

  // --- Objects (PROTOCOL.md §5) -----------------------------------------------
  // CREATE type name [options] [EXISTOK].
  void create(std::string_view type, std::string_view name,
              std::span<const std::string> options = {}, bool exist_ok = true) const;
  // CREATE type * [options]: a reference-counted anonymous object, held by the
  // returned reference (shared by the proxy's copies in this process).
  std::shared_ptr<detail::AnonRef> create_anonymous(
      std::string_view type, std::span<const std::string> options = {}) const;
  bool exists(std::string_view name) const;
  std::int64_t del(std::string_view name) const;
  std::string type(std::string_view name) const;  // "none" when absent
  std::vector<std::string> objects(std::string_view glob = "*") const;
  ObjectInfo describe(std::string_view name) const;

  // --- Proxies: create-or-open by name (CREATE ... EXISTOK), or anonymous ---
  // Defined in the proxy headers; include <procshare/procshare.hpp>.
  template <codable K, codable V>
  Dict<K, V> dict(std::string_view name) const;
  template <codable K, codable V>
  Dict<K, V> dict() const;
  template <codable T>
  List<T> list(std::string_view name) const;
  template <codable T>
  List<T> list() const;
  template <codable T>
  Set<T> set(std::string_view name) const;
  template <codable T>
  Set<T> set() const;
  Namespace namespace_(std::string_view name) const;
  Namespace namespace_() const;
  template <codable T>
  Value<T> value(std::string_view name, const T& initial = T{}) const;
  template <codable T>
  Value<T> value() const;
  template <codable T>
  Array<T> array(std::string_view name, std::size_t length) const;
  template <codable T>
  Array<T> array(std::string_view name, const std::vector<T>& initial) const;
  template <codable T>
  Array<T> array(const std::vector<T>& initial) const;
  template <codable T>
  Queue<T> queue(std::string_view name, QueueOptions options = {}) const;
  template <codable T>
  Queue<T> queue(QueueOptions options = {}) const;
  template <codable T>
  JoinableQueue<T> joinable_queue(std::string_view name, std::size_t maxsize = 0) const;
  template <codable T>
  JoinableQueue<T> joinable_queue(std::size_t maxsize = 0) const;
  Lock lock(std::string_view name) const;
  Lock lock() const;
  RLock rlock(std::string_view name) const;
  RLock rlock() const;
  Semaphore semaphore(std::string_view name, std::int64_t value = 1) const;
  Semaphore semaphore(std::int64_t value = 1) const;
  BoundedSemaphore bounded_semaphore(std::string_view name, std::int64_t value = 1) const;
  BoundedSemaphore bounded_semaphore(std::int64_t value = 1) const;
  // A condition with its own lock, or over the named `lock` object.
  Condition condition(std::string_view name, std::optional<std::string> lock = {}) const;
  Condition condition() const;
  Event event(std::string_view name) const;
  Event event() const;
  Barrier barrier(std::string_view name, std::int64_t parties) const;
  Barrier barrier(std::int64_t parties) const;

  // --- Connections ------------------------------------------------------------
  const Address& address() const;
  // The options as resolved at connect() (the key read once, in authkey).
  const ConnectOptions& options() const;
  // Closes this process's connections of this client (every thread's); the
  // next call opens a new one. Locks held by them are released by the server.
  void close() const;
  // Connections this process holds open for this client (for tests).
  std::size_t open_connections() const;

  friend bool operator==(const Client& a, const Client& b) { return a.state_ == b.state_; }

 private:
  friend class Pipeline;
  explicit Client(std::shared_ptr<detail::ClientState> state) : state_(std::move(state)) {}
  detail::ClientState& state() const;
  std::shared_ptr<detail::ClientState> state_;
};

namespace detail {

// A command argument: strings as they are, other values through their codec.
inline std::string_view arg_view(std::string_view s, std::string&) {
  return s;
}
inline std::string_view arg_view(const std::string& s, std::string&) {
  return s;
}
inline std::string_view arg_view(const char* s, std::string&) {
  return s;
}
// (Checked in this order so that string literals never instantiate codec<>.)
template <class T>
requires(!std::convertible_to<const T&, std::string_view> && codable<T>) std::string_view
    arg_view(const T& v, std::string& storage) {
  storage = codec<T>::encode(v);
  return storage;
}

// "1.5": seconds of a timeout argument (PROTOCOL.md §6); negative is 0.
std::string seconds_arg(std::chrono::nanoseconds d);

// A reference to an anonymous object, shared by the copies of its proxies
// in one process. The process that holds it has taken one reference on the
// server; its destructor drops it. A forked child takes its own reference on
// first use (ensure()); a copy inherited by fork but never used is never
// released by the child.
struct AnonRef {
  AnonRef(std::shared_ptr<ClientState> state, std::string name, int pid);
  ~AnonRef();
  AnonRef(const AnonRef&) = delete;
  AnonRef& operator=(const AnonRef&) = delete;
  // Takes this process's reference if the current one was inherited by fork.
  void ensure();

  std::shared_ptr<ClientState> state;
  std::string name;
  std::atomic<int> pid;  // the process whose reference this is
};

}  // namespace detail

namespace detail {
// Calls f(std::span<const std::string_view>) with the arguments as views;
// values that are not strings are encoded into storage that outlives the call.
template <class F, class... A>
decltype(auto) with_arg_views(F&& f, const A&... args) {
  constexpr std::size_t n = sizeof...(A) > 0 ? sizeof...(A) : 1;
  std::string storage[n];
  std::size_t i = 0;
  // Braced lists evaluate left to right, so storage[i++] pairs up in order.
  std::string_view views[n] = {arg_view(args, storage[i++])...};
  (void)i;
  return f(std::span<const std::string_view>(views, sizeof...(A)));
}
}  // namespace detail

template <class... A>
protocol::Reply Client::command(const A&... args) const {
  return detail::with_arg_views([&](std::span<const std::string_view> s) { return call(s); },
                                args...);
}

template <class... A>
protocol::Reply Client::command_blocking(std::optional<std::chrono::milliseconds> wait,
                                         const A&... args) const {
  return detail::with_arg_views(
      [&](std::span<const std::string_view> s) { return call_blocking(s, wait); }, args...);
}

}  // namespace procshare

#pragma once
// Queue<T> and JoinableQueue<T>: Python's queue.Queue proxies (PROTOCOL.md
// §6 "queue"). A blocked get() or put() parks only this thread's connection
// on the server; other threads and processes carry on.
//
//   auto q = client.queue<std::string>("jobs");
//   q.put("a");
//   std::string job = q.get();                       // waits forever
//   std::optional<std::string> j = q.try_get_for(1s); // nullopt after 1 s
//   q.get(1s);                                       // throws procshare::Empty
//
// Leased delivery (docs/cpp-client.md "Worker pools"): the job stays on the
// server, in flight, until it is acknowledged; if the worker dies, is killed
// or stalls past the lease, it goes back to the head of the queue:
//
//   procshare::Job<std::string> job = q.get_leased(30s);
//   process(*job);
//   job.ack();          // done; destroyed without ack()/nack(): NACKed
#include <unistd.h>

#include <chrono>
#include <optional>
#include <utility>

#include "procshare/object.hpp"

namespace procshare {

template <codable T>
class Queue;

// A job taken with Queue::get_leased(): its value and delivery id. Move-only.
// Settle it once: ack() (done; on a JoinableQueue that is its task_done) or
// nack() (back to the head of the queue, now or after a delay). Destroyed
// unsettled in the process that took it, it is NACKed; in a forked child
// (which got a copy of the handle) it is left alone. Every call goes through
// the calling thread's connection, so any process may settle it.
template <codable T>
class Job {
 public:
  Job() = default;
  Job(Job&& o) noexcept
      : queue_(std::move(o.queue_)),
        value_(std::move(o.value_)),
        id_(std::exchange(o.id_, 0)),
        pid_(o.pid_) {}
  Job& operator=(Job&& o) noexcept {
    if (this != &o) {
      abandon();
      queue_ = std::move(o.queue_);
      value_ = std::move(o.value_);
      id_ = std::exchange(o.id_, 0);
      pid_ = o.pid_;
    }
    return *this;
  }
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;
  ~Job() { abandon(); }

  const T& value() const { return value_; }
  T& value() { return value_; }
  const T& operator*() const { return value_; }
  T& operator*() { return value_; }
  const T* operator->() const { return &value_; }
  T* operator->() { return &value_; }
  // The delivery id (QUEUE.ACK's argument).
  std::int64_t id() const { return id_; }
  // Not yet acknowledged or NACKed through this handle.
  bool pending() const { return id_ != 0; }

  // Done: the job is gone. False if its lease had run out (it went back to
  // the queue and may be delivered again), or it was settled already.
  bool ack() { return settle("QUEUE.ACK"); }
  // Back to the head of the queue now; false as for ack().
  bool nack() { return settle("QUEUE.NACK"); }
  // Back to the head of the queue once `delay` is over.
  template <class Rep, class Period>
  bool nack(std::chrono::duration<Rep, Period> delay) {
    return settle("QUEUE.NACK", "DELAY", queue_.timeout_arg(delay));
  }
  // The lease now ends `lease` from now; false if it had run out already.
  template <class Rep, class Period>
  bool extend(std::chrono::duration<Rep, Period> lease) const {
    if (!id_) return false;
    return queue_.cmd("QUEUE.EXTEND", id_, queue_.timeout_arg(lease)).integer == 1;
  }

 private:
  friend class Queue<T>;
  Job(Queue<T> queue, T value, std::int64_t id)
      : queue_(std::move(queue)), value_(std::move(value)), id_(id), pid_(::getpid()) {}

  template <class... A>
  bool settle(std::string_view command, const A&... args) {
    if (!id_) return false;
    const std::int64_t id = std::exchange(id_, 0);
    return queue_.cmd(command, id, args...).integer == 1;
  }
  void abandon() noexcept {
    if (!id_ || pid_ != ::getpid()) return;
    try {
      nack();
    } catch (...) {
      // The server requeues it anyway when its lease ends or this
      // connection closes.
    }
  }

  Queue<T> queue_;
  T value_{};
  std::int64_t id_ = 0;
  pid_t pid_ = 0;
};

template <codable T>
class Queue : public Object {
 public:
  Queue() = default;
  Queue(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}
  // Prints <queue 'name'>: its items are not read (a get would take them).
  void procshare_repr(std::string& out) const { this->handle_repr(out, "queue"); }

  // Puts v, waiting for room as long as it takes.
  void put(const T& v) const { cmd_wait(std::nullopt, "QUEUE.PUT", v); }
  // Puts v, waiting at most `timeout`; throws Full if there was no room.
  template <class Rep, class Period>
  void put(const T& v, std::chrono::duration<Rep, Period> timeout) const {
    cmd_wait(wait_of(timeout), "QUEUE.PUT", v, "TIMEOUT", timeout_arg(timeout));
  }
  // Puts v if there is room now; false if full.
  bool try_put(const T& v) const { return ok_unless(cmd_raw("QUEUE.PUT", v, "NOWAIT"), "FULL"); }
  template <class Rep, class Period>
  bool try_put_for(const T& v, std::chrono::duration<Rep, Period> timeout) const {
    return ok_unless(
        cmd_wait_raw(wait_of(timeout), "QUEUE.PUT", v, "TIMEOUT", timeout_arg(timeout)), "FULL");
  }

  // Takes the next item, waiting as long as it takes.
  T get() const { return decode<T>(cmd_wait(std::nullopt, "QUEUE.GET")); }
  // Takes the next item, waiting at most `timeout`; throws Empty after it.
  template <class Rep, class Period>
  T get(std::chrono::duration<Rep, Period> timeout) const {
    return decode<T>(cmd_wait(wait_of(timeout), "QUEUE.GET", "TIMEOUT", timeout_arg(timeout)));
  }
  // The next item if there is one now.
  std::optional<T> try_get() const { return item_unless_empty(cmd_raw("QUEUE.GET", "NOWAIT")); }
  template <class Rep, class Period>
  std::optional<T> try_get_for(std::chrono::duration<Rep, Period> timeout) const {
    return item_unless_empty(
        cmd_wait_raw(wait_of(timeout), "QUEUE.GET", "TIMEOUT", timeout_arg(timeout)));
  }

  // Takes the next item on a lease of `lease` (docs/cpp-client.md "Worker
  // pools"), waiting as long as it takes.
  template <class Rep, class Period>
  Job<T> get_leased(std::chrono::duration<Rep, Period> lease) const {
    return job(cmd_wait(std::nullopt, "QUEUE.GET", "LEASE", timeout_arg(lease)));
  }
  // The same, waiting at most `timeout`; throws Empty after it.
  template <class Rep, class Period, class Rep2, class Period2>
  Job<T> get_leased(std::chrono::duration<Rep, Period> lease,
                    std::chrono::duration<Rep2, Period2> timeout) const {
    return job(cmd_wait(wait_of(timeout), "QUEUE.GET", "LEASE", timeout_arg(lease), "TIMEOUT",
                        timeout_arg(timeout)));
  }
  // The next item on a lease if there is one now.
  template <class Rep, class Period>
  std::optional<Job<T>> try_get_leased(std::chrono::duration<Rep, Period> lease) const {
    protocol::Reply r = cmd_raw("QUEUE.GET", "LEASE", timeout_arg(lease), "NOWAIT");
    if (r.is_error() && r.error_code() == "EMPTY") return std::nullopt;
    return job(r);
  }
  template <class Rep, class Period, class Rep2, class Period2>
  std::optional<Job<T>> try_get_leased_for(std::chrono::duration<Rep, Period> lease,
                                           std::chrono::duration<Rep2, Period2> timeout) const {
    protocol::Reply r = cmd_wait_raw(wait_of(timeout), "QUEUE.GET", "LEASE", timeout_arg(lease),
                                     "TIMEOUT", timeout_arg(timeout));
    if (r.is_error() && r.error_code() == "EMPTY") return std::nullopt;
    return job(r);
  }

  std::size_t size() const { return static_cast<std::size_t>(cmd("QUEUE.SIZE").integer); }
  bool empty() const { return cmd("QUEUE.EMPTY").integer != 0; }
  bool full() const { return cmd("QUEUE.FULL").integer != 0; }

 protected:
  static bool ok_unless(const protocol::Reply& r, std::string_view code) {
    if (r.is_error() && r.error_code() == code) return false;
    if (r.is_error()) throw_error(r);
    return true;
  }
  static std::optional<T> item_unless_empty(const protocol::Reply& r) {
    if (r.is_error() && r.error_code() == "EMPTY") return std::nullopt;
    return decode<T>(r);
  }
  // [item, id] -> a Job.
  Job<T> job(const protocol::Reply& r) const {
    if (r.is_error()) throw_error(r);
    if (r.elements.size() != 2) throw ProtocolError("QUEUE.GET LEASE: not an [item, id] pair");
    return Job<T>(*this, decode<T>(r.elements[0]), r.elements[1].integer);
  }

 private:
  friend class Job<T>;
};

template <codable T>
class JoinableQueue : public Queue<T> {
 public:
  JoinableQueue() = default;
  JoinableQueue(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Queue<T>(std::move(client), std::move(name), std::move(ref)) {}
  void procshare_repr(std::string& out) const { this->handle_repr(out, "joinablequeue"); }

  // Marks one item taken with get() as processed; ValueError if called more
  // times than items were put.
  void task_done() const { this->cmd("QUEUE.TASKDONE"); }
  // Waits until every item put has been marked done.
  void join() const { this->cmd_wait(std::nullopt, "QUEUE.JOIN"); }
  // The same, at most `timeout`; false if items were still unfinished.
  template <class Rep, class Period>
  bool join_for(std::chrono::duration<Rep, Period> timeout) const {
    return this->cmd_wait(this->wait_of(timeout), "QUEUE.JOIN", "TIMEOUT",
                          this->timeout_arg(timeout))
               .integer != 0;
  }
};

namespace detail {
inline std::vector<std::string> queue_options(QueueOptions o) {
  std::vector<std::string> v;
  if (o.maxsize > 0) v.insert(v.end(), {"MAXSIZE", std::to_string(o.maxsize)});
  if (o.lifo) v.push_back("LIFO");
  if (o.max_deliveries > 0) {
    v.insert(v.end(),
             {"MAXDELIVERIES", std::to_string(o.max_deliveries), "DEADLETTER", o.dead_letter});
  }
  return v;
}
}  // namespace detail

template <codable T>
Queue<T> Client::queue(std::string_view name, QueueOptions options) const {
  create("queue", name, detail::queue_options(options));
  return Queue<T>(*this, std::string(name));
}

template <codable T>
Queue<T> Client::queue(QueueOptions options) const {
  auto ref = create_anonymous("queue", detail::queue_options(options));
  std::string name = ref->name;
  return Queue<T>(*this, std::move(name), std::move(ref));
}

template <codable T>
JoinableQueue<T> Client::joinable_queue(std::string_view name, std::size_t maxsize) const {
  create("joinablequeue", name, detail::queue_options({maxsize, false}));
  return JoinableQueue<T>(*this, std::string(name));
}

template <codable T>
JoinableQueue<T> Client::joinable_queue(std::size_t maxsize) const {
  auto ref = create_anonymous("joinablequeue", detail::queue_options({maxsize, false}));
  std::string name = ref->name;
  return JoinableQueue<T>(*this, std::move(name), std::move(ref));
}

}  // namespace procshare

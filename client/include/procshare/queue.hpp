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
#include <chrono>
#include <optional>

#include "procshare/object.hpp"

namespace procshare {

template <codable T>
class Queue : public Object {
 public:
  Queue() = default;
  Queue(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}

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
};

template <codable T>
class JoinableQueue : public Queue<T> {
 public:
  JoinableQueue() = default;
  JoinableQueue(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Queue<T>(std::move(client), std::move(name), std::move(ref)) {}

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

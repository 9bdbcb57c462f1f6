#pragma once
// Pipeline: many commands sent in one batch, replies collected in order
// (PROTOCOL.md §2). For throughput: N commands cost one round trip instead
// of N.
//
// Typed: `p(proxy)` offers the proxy's own (non-waiting) methods; each adds
// one command and returns a Future of what the method returns. Errors stay
// in place: a failed command's future throws the server's error on get(),
// the others still deliver.
//
//   auto p = client.pipeline();
//   auto hits = p(counters).incr("hits");        // Future<long>
//   auto name = p(config).get("name");           // Future<std::optional<std::string>>
//   p(jobs).try_put(job);                        // Future<bool>, unused here
//   p.execute();                                 // one round trip
//   long h = hits.get();                         // throws if DICT.INCRBY failed
//
// Untyped: `add` takes any command by its wire name; execute() returns the
// replies, errors included, in the order the commands were added.
//
//   for (int i = 0; i < 1000; ++i) p.add("DICT.SET", squares.name(), i, i * i);
//   procshare::check(p.execute());               // throws the first error, if any
//
// A pipeline runs on the calling thread's connection; it is not itself
// thread-safe (use one per thread). Blocking commands in a pipeline hold
// back the replies behind them, as on the wire; the typed methods offer
// only the ones that do not wait. Batches of any size are fine (execute()
// writes and reads in turn; docs/cpp-client.md "Pipelines").
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "procshare/client.hpp"
#include "procshare/dict.hpp"
#include "procshare/list.hpp"
#include "procshare/namespace.hpp"
#include "procshare/queue.hpp"
#include "procshare/set.hpp"
#include "procshare/value.hpp"

namespace procshare {

namespace detail {
// Where execute() leaves one command's reply for its Future.
struct PendingReply {
  protocol::Reply reply;
  bool ready = false;
};
struct ObjectAccess {
  static void touch(const Object& o) { o.touch(); }
};
}  // namespace detail

// The result of one command of a pipeline, available after execute().
template <class T>
class Future {
 public:
  using Decode = std::function<T(const protocol::Reply&)>;
  Future(std::shared_ptr<const detail::PendingReply> slot, Decode decode)
      : slot_(std::move(slot)), decode_(std::move(decode)) {}

  // True once execute() has received this command's reply.
  bool ready() const { return slot_->ready; }
  // The method's result; throws the server's error for this command (as the
  // method itself would), or Error "NOTREADY" before execute() has
  // delivered the reply.
  T get() const { return decode_(reply()); }
  // The raw reply, error or not.
  const protocol::Reply& reply() const {
    if (!slot_->ready) {
      throw Error("NOTREADY", "the pipeline of this future has not been executed");
    }
    return slot_->reply;
  }

 private:
  std::shared_ptr<const detail::PendingReply> slot_;
  Decode decode_;
};

class Pipeline;

// p(proxy): the proxy's methods on a pipeline (specialised per proxy type
// below).
template <class P>
class Pipelined;

class Pipeline {
 public:
  explicit Pipeline(Client client) : client_(std::move(client)) {}

  // Adds one command; strings are sent as they are, other values through
  // their codec.
  template <class... A>
  Pipeline& add(const A&... args) {
    return detail::with_arg_views(
        [&](std::span<const std::string_view> s) -> Pipeline& { return add_args(s); }, args...);
  }
  Pipeline& add_args(std::span<const std::string_view> args);

  // The typed methods of `proxy`, adding to this pipeline. The proxy must
  // belong to this pipeline's Client.
  template <class P>
  Pipelined<P> operator()(const P& proxy) {
    if (!(proxy.client() == client_)) {
      throw Error("USAGE", "a proxy of another client cannot join this pipeline");
    }
    return Pipelined<P>(*this, proxy);
  }

  // Adds one command whose reply goes to a Future made by `decode`.
  template <class T, class... A>
  Future<T> add_typed(typename Future<T>::Decode decode, const A&... args) {
    add(args...);
    auto slot = std::make_shared<detail::PendingReply>();
    pending_.resize(count_ - 1);
    pending_.push_back(slot);
    return Future<T>(std::move(slot), std::move(decode));
  }

  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  void clear();

  // Sends every command added so far and reads their replies, each error in
  // its place; typed futures are ready afterwards. The pipeline is empty
  // afterwards. Throws ConnectionError when the connection fails (the
  // replies received so far are lost with it, and the futures never become
  // ready).
  std::vector<protocol::Reply> execute();

  const Client& client() const { return client_; }

 private:
  Client client_;
  std::string buffer_;  // the commands, already encoded as RESP
  std::size_t count_ = 0;
  // One per command up to the last typed one; null for an untyped command.
  std::vector<std::shared_ptr<detail::PendingReply>> pending_;
};

// Throws the first error reply of a pipeline's replies, if any.
void check(const std::vector<protocol::Reply>& replies);

namespace detail {

// What every Pipelined<P> shares: the pipeline, the proxy, and the decoders
// of a reply into the type a method returns.
template <class P>
class PipelinedBase {
 public:
  PipelinedBase(Pipeline& p, const P& proxy) : p_(&p), proxy_(proxy) {}

 protected:
  // `command name args...`, its reply decoded by `decode`.
  template <class T, class... A>
  Future<T> call(typename Future<T>::Decode decode, std::string_view command,
                 const A&... args) const {
    ObjectAccess::touch(proxy_);
    return p_->add_typed<T>(std::move(decode), command, proxy_.name(), args...);
  }
  // A value decoded as T (references become proxies of this client).
  template <class T>
  typename Future<T>::Decode as() const {
    return [c = proxy_.client()](const protocol::Reply& r) {
      if (r.is_error()) throw_error(r);
      DecodingScope scope(c);
      return decode<T>(r);
    };
  }
  template <class T>
  typename Future<std::vector<T>>::Decode as_all() const {
    return [c = proxy_.client()](const protocol::Reply& r) {
      if (r.is_error()) throw_error(r);
      DecodingScope scope(c);
      std::vector<T> out;
      out.reserve(r.elements.size());
      for (const auto& e : r.elements) out.push_back(decode<T>(e));
      return out;
    };
  }
  // nullopt for the one error code that means "absent".
  template <class T>
  typename Future<std::optional<T>>::Decode unless(std::string code) const {
    return [c = proxy_.client(), code = std::move(code)](const protocol::Reply& r) {
      if (r.is_error() && r.error_code() == code) return std::optional<T>();
      if (r.is_error()) throw_error(r);
      DecodingScope scope(c);
      return std::optional<T>(decode<T>(r));
    };
  }
  // false for the one error code that means "did not happen".
  static typename Future<bool>::Decode ok_unless(std::string code) {
    return [code = std::move(code)](const protocol::Reply& r) {
      if (r.is_error() && r.error_code() == code) return false;
      if (r.is_error()) throw_error(r);
      return true;
    };
  }
  static typename Future<bool>::Decode flag() {
    return [](const protocol::Reply& r) {
      if (r.is_error()) throw_error(r);
      return r.integer != 0;
    };
  }
  static typename Future<std::size_t>::Decode count() {
    return [](const protocol::Reply& r) {
      if (r.is_error()) throw_error(r);
      return static_cast<std::size_t>(r.integer);
    };
  }
  static typename Future<std::int64_t>::Decode integer() {
    return [](const protocol::Reply& r) {
      if (r.is_error()) throw_error(r);
      return r.integer;
    };
  }
  static typename Future<void>::Decode done() {
    return [](const protocol::Reply& r) {
      if (r.is_error()) throw_error(r);
    };
  }

  Pipeline* p_;
  P proxy_;
};

}  // namespace detail

template <codable K, codable V>
class Pipelined<Dict<K, V>> : detail::PipelinedBase<Dict<K, V>> {
  using Base = detail::PipelinedBase<Dict<K, V>>;

 public:
  using Base::Base;
  Future<bool> set(const K& key, const V& value) const {
    return this->template call<bool>(Base::flag(), "DICT.SET", key, value);
  }
  Future<std::optional<V>> get(const K& key) const {
    return this->template call<std::optional<V>>(Base::template unless<V>("KEYERROR"), "DICT.GET",
                                                 key);
  }
  Future<V> get(const K& key, const V& fallback) const {
    return this->template call<V>(this->template as<V>(), "DICT.GET", key, "DEFAULT", fallback);
  }
  Future<V> at(const K& key) const {
    return this->template call<V>(this->template as<V>(), "DICT.GET", key);
  }
  Future<bool> contains(const K& key) const {
    return this->template call<bool>(Base::flag(), "DICT.HAS", key);
  }
  Future<std::size_t> size() const {
    return this->template call<std::size_t>(Base::count(), "DICT.LEN");
  }
  Future<bool> erase(const K& key) const {
    return this->template call<bool>(Base::ok_unless("KEYERROR"), "DICT.DEL", key);
  }
  Future<V> pop(const K& key) const {
    return this->template call<V>(this->template as<V>(), "DICT.POP", key);
  }
  Future<V> pop(const K& key, const V& fallback) const {
    return this->template call<V>(this->template as<V>(), "DICT.POP", key, "DEFAULT", fallback);
  }
  Future<V> setdefault(const K& key, const V& value) const {
    return this->template call<V>(this->template as<V>(), "DICT.SETDEFAULT", key, value);
  }
  Future<V> incr(const K& key, V by = 1) const requires std::integral<V> || std::floating_point<V> {
    if constexpr (std::integral<V>) {
      return this->template call<V>(this->template as<V>(), "DICT.INCRBY", key,
                                    static_cast<std::int64_t>(by));
    } else {
      return this->template call<V>(this->template as<V>(), "DICT.INCRBYFLOAT", key,
                                    static_cast<double>(by));
    }
  }
  Future<std::vector<K>> keys() const {
    return this->template call<std::vector<K>>(Base::template as_all<K>(), "DICT.KEYS");
  }
  Future<std::vector<V>> values() const {
    return this->template call<std::vector<V>>(Base::template as_all<V>(), "DICT.VALUES");
  }
  Future<std::vector<std::pair<K, V>>> items() const {
    auto decode = [c = this->proxy_.client()](const protocol::Reply& r) {
      if (r.is_error()) throw_error(r);
      detail::DecodingScope scope(c);
      std::vector<std::pair<K, V>> out;
      out.reserve(r.elements.size() / 2);
      for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
        out.emplace_back(procshare::decode<K>(r.elements[i]),
                         procshare::decode<V>(r.elements[i + 1]));
      }
      return out;
    };
    return this->template call<std::vector<std::pair<K, V>>>(std::move(decode), "DICT.ITEMS");
  }
  Future<void> clear() const { return this->template call<void>(Base::done(), "DICT.CLEAR"); }
};

template <codable T>
class Pipelined<List<T>> : detail::PipelinedBase<List<T>> {
  using Base = detail::PipelinedBase<List<T>>;

 public:
  using Base::Base;
  Future<std::size_t> append(const T& v) const {
    return this->template call<std::size_t>(Base::count(), "LIST.APPEND", v);
  }
  Future<std::size_t> push_back(const T& v) const { return append(v); }
  Future<void> insert(std::int64_t index, const T& v) const {
    return this->template call<void>(Base::done(), "LIST.INSERT", index, v);
  }
  Future<T> pop(std::int64_t index = -1) const {
    return this->template call<T>(this->template as<T>(), "LIST.POP", index);
  }
  Future<T> at(std::int64_t index) const {
    return this->template call<T>(this->template as<T>(), "LIST.GET", index);
  }
  Future<void> set(std::int64_t index, const T& v) const {
    return this->template call<void>(Base::done(), "LIST.SET", index, v);
  }
  Future<void> erase(std::int64_t index) const {
    return this->template call<void>(Base::done(), "LIST.DEL", index);
  }
  Future<std::size_t> size() const {
    return this->template call<std::size_t>(Base::count(), "LIST.LEN");
  }
  Future<std::vector<T>> range(std::int64_t start, std::int64_t stop) const {
    return this->template call<std::vector<T>>(Base::template as_all<T>(), "LIST.RANGE", start,
                                               stop);
  }
  Future<std::vector<T>> to_vector() const {
    return this->template call<std::vector<T>>(Base::template as_all<T>(), "LIST.RANGE", "0",
                                               detail::kSliceEnd);
  }
  Future<std::int64_t> index(const T& v) const {
    return this->template call<std::int64_t>(Base::integer(), "LIST.INDEX", v);
  }
  Future<std::size_t> count(const T& v) const {
    return this->template call<std::size_t>(Base::count(), "LIST.COUNT", v);
  }
  Future<void> remove(const T& v) const {
    return this->template call<void>(Base::done(), "LIST.REMOVE", v);
  }
  Future<void> reverse() const { return this->template call<void>(Base::done(), "LIST.REVERSE"); }
  Future<void> clear() const { return this->template call<void>(Base::done(), "LIST.CLEAR"); }
};

template <codable T>
class Pipelined<Set<T>> : detail::PipelinedBase<Set<T>> {
  using Base = detail::PipelinedBase<Set<T>>;

 public:
  using Base::Base;
  Future<bool> add(const T& v) const {
    return this->template call<bool>(Base::flag(), "SET.ADD", v);
  }
  Future<bool> insert(const T& v) const { return add(v); }
  Future<bool> discard(const T& v) const {
    return this->template call<bool>(Base::flag(), "SET.DISCARD", v);
  }
  // KeyError when v is not a member.
  Future<void> remove(const T& v) const {
    return this->template call<void>(Base::done(), "SET.REMOVE", v);
  }
  Future<bool> contains(const T& v) const {
    return this->template call<bool>(Base::flag(), "SET.HAS", v);
  }
  Future<std::size_t> size() const {
    return this->template call<std::size_t>(Base::count(), "SET.LEN");
  }
  Future<std::vector<T>> members() const {
    return this->template call<std::vector<T>>(Base::template as_all<T>(), "SET.MEMBERS");
  }
  Future<T> pop() const { return this->template call<T>(this->template as<T>(), "SET.POP"); }
  Future<void> clear() const { return this->template call<void>(Base::done(), "SET.CLEAR"); }
};

template <codable T>
class Pipelined<Value<T>> : detail::PipelinedBase<Value<T>> {
  using Base = detail::PipelinedBase<Value<T>>;

 public:
  using Base::Base;
  Future<T> get() const { return this->template call<T>(this->template as<T>(), "VALUE.GET"); }
  Future<void> set(const T& v) const {
    return this->template call<void>(Base::done(), "VALUE.SET", detail::typed_arg(v));
  }
  Future<T> incr(T by = 1) const requires detail::arithmetic_value<T> {
    if constexpr (std::integral<T>) {
      return this->template call<T>(this->template as<T>(), "VALUE.INCRBY",
                                    static_cast<std::int64_t>(by));
    } else {
      return this->template call<T>(this->template as<T>(), "VALUE.INCRBYFLOAT",
                                    static_cast<double>(by));
    }
  }
};

template <codable T>
class Pipelined<Array<T>> : detail::PipelinedBase<Array<T>> {
  using Base = detail::PipelinedBase<Array<T>>;

 public:
  using Base::Base;
  Future<T> at(std::int64_t index) const {
    return this->template call<T>(this->template as<T>(), "ARRAY.GET", index);
  }
  Future<void> set(std::int64_t index, const T& v) const {
    return this->template call<void>(Base::done(), "ARRAY.SET", index, detail::typed_arg(v));
  }
  Future<std::size_t> size() const {
    return this->template call<std::size_t>(Base::count(), "ARRAY.LEN");
  }
  Future<std::vector<T>> range(std::int64_t start, std::int64_t stop) const {
    return this->template call<std::vector<T>>(Base::template as_all<T>(), "ARRAY.RANGE", start,
                                               stop);
  }
  Future<std::vector<T>> to_vector() const {
    return this->template call<std::vector<T>>(Base::template as_all<T>(), "ARRAY.RANGE", "0",
                                               detail::kSliceEnd);
  }
  Future<T> incr(std::int64_t index, T by = 1) const requires detail::arithmetic_value<T> {
    return this->template call<T>(this->template as<T>(), "ARRAY.INCRBY", index, by);
  }
};

template <>
class Pipelined<Namespace> : detail::PipelinedBase<Namespace> {
  using Base = detail::PipelinedBase<Namespace>;

 public:
  using Base::Base;
  template <codable T>
  Future<void> set(std::string_view attr, const T& v) const {
    return this->template call<void>(done(), "NS.SET", attr, v);
  }
  Future<void> set(std::string_view attr, const char* v) const {
    return this->template call<void>(done(), "NS.SET", attr, v);
  }
  // KeyError when unset.
  template <codable T>
  Future<T> get(std::string_view attr) const {
    return this->template call<T>(this->template as<T>(), "NS.GET", attr);
  }
  template <codable T>
  Future<std::optional<T>> get_optional(std::string_view attr) const {
    return this->template call<std::optional<T>>(unless<T>("KEYERROR"), "NS.GET", attr);
  }
  Future<bool> has(std::string_view attr) const {
    return this->template call<bool>(flag(), "NS.HAS", attr);
  }
  Future<void> erase(std::string_view attr) const {
    return this->template call<void>(done(), "NS.DEL", attr);
  }
  Future<std::vector<std::string>> attrs() const {
    return this->template call<std::vector<std::string>>(as_all<std::string>(), "NS.ATTRS");
  }
};

// A queue's methods that do not wait.
template <codable T>
class Pipelined<Queue<T>> : protected detail::PipelinedBase<Queue<T>> {
  using Base = detail::PipelinedBase<Queue<T>>;

 public:
  using Base::Base;
  // false when the queue is full.
  Future<bool> try_put(const T& v) const {
    return this->template call<bool>(Base::ok_unless("FULL"), "QUEUE.PUT", v, "NOWAIT");
  }
  // nullopt when the queue is empty.
  Future<std::optional<T>> try_get() const {
    return this->template call<std::optional<T>>(Base::template unless<T>("EMPTY"), "QUEUE.GET",
                                                 "NOWAIT");
  }
  Future<std::size_t> size() const {
    return this->template call<std::size_t>(Base::count(), "QUEUE.SIZE");
  }
  Future<bool> empty() const { return this->template call<bool>(Base::flag(), "QUEUE.EMPTY"); }
  Future<bool> full() const { return this->template call<bool>(Base::flag(), "QUEUE.FULL"); }
};

template <codable T>
class Pipelined<JoinableQueue<T>> : public Pipelined<Queue<T>> {
 public:
  Pipelined(Pipeline& p, const JoinableQueue<T>& q) : Pipelined<Queue<T>>(p, q) {}
  Future<void> task_done() const {
    return this->template call<void>(this->done(), "QUEUE.TASKDONE");
  }
};

}  // namespace procshare

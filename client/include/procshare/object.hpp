#pragma once
// procshare::Object: what every proxy has in common — the Client it talks
// through, the object's name, and for an anonymous object the shared
// reference that keeps it alive (client.hpp, detail::AnonRef).
//
// Proxies are values: copy them freely, into threads or across fork(). A
// proxy holds no connection of its own; each call goes through the calling
// thread's connection of its Client.
#include <charconv>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "procshare/client.hpp"
#include "procshare/print.hpp"

namespace procshare {

namespace detail {
// The client through which a stored reference ({"$ref": [type, name]},
// docs/values.md) becomes a proxy: the client of the proxy whose reply is
// being decoded, for the duration of the decoding, on this thread.
inline thread_local const Client* decoding_client = nullptr;
class DecodingScope {
 public:
  explicit DecodingScope(const Client& c) : saved_(decoding_client) { decoding_client = &c; }
  ~DecodingScope() { decoding_client = saved_; }
  DecodingScope(const DecodingScope&) = delete;
  DecodingScope& operator=(const DecodingScope&) = delete;

 private:
  const Client* saved_;
};
}  // namespace detail

namespace detail {
struct ObjectAccess;
}  // namespace detail

class Object {
 public:
  const std::string& name() const { return name_; }
  const Client& client() const { return client_; }
  // True for an object made with CREATE type * (reference counted).
  bool anonymous() const { return ref_ != nullptr; }
  ObjectInfo describe() const {
    touch();
    return client_.describe(name_);
  }

 protected:
  friend struct detail::ObjectAccess;
  Object() = default;
  Object(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : client_(std::move(client)), name_(std::move(name)), ref_(std::move(ref)) {}

  // How a proxy without contents to show prints: <lock 'name'>, as a
  // reference to it prints inside a container (print.hpp).
  void handle_repr(std::string& out, std::string_view type) const {
    out += '<';
    out += type;
    out += " '";
    out += name_;
    out += "'>";
  }
  // Takes this process's reference to an anonymous object inherited by fork.
  void touch() const {
    if (ref_) ref_->ensure();
  }
  // `command name args...`; error replies are thrown.
  template <class... A>
  protocol::Reply cmd(std::string_view command, const A&... args) const {
    touch();
    return client_.command(command, name_, args...);
  }
  // As cmd(), but error replies are returned as values: for the proxies that
  // turn one expected error (a missing key) into a result, without throwing.
  template <class... A>
  protocol::Reply cmd_raw(std::string_view command, const A&... args) const {
    touch();
    return detail::with_arg_views(
        [&](std::span<const std::string_view> s) { return client_.call_raw(s); }, command, name_,
        args...);
  }
  // The same for a command that may wait up to `wait` (nullopt: forever).
  template <class... A>
  protocol::Reply cmd_wait(std::optional<std::chrono::milliseconds> wait, std::string_view command,
                           const A&... args) const {
    touch();
    return client_.command_blocking(wait, command, name_, args...);
  }

  template <class... A>
  protocol::Reply cmd_wait_raw(std::optional<std::chrono::milliseconds> wait,
                               std::string_view command, const A&... args) const {
    touch();
    return detail::with_arg_views(
        [&](std::span<const std::string_view> s) { return client_.call_blocking_raw(s, wait); },
        command, name_, args...);
  }

  template <class Rep, class Period>
  static std::chrono::milliseconds wait_of(std::chrono::duration<Rep, Period> d) {
    return std::chrono::ceil<std::chrono::milliseconds>(d);
  }
  template <class Rep, class Period>
  static std::string timeout_arg(std::chrono::duration<Rep, Period> d) {
    return detail::seconds_arg(std::chrono::duration_cast<std::chrono::nanoseconds>(d));
  }
  // The timeout left until a deadline of any clock.
  template <class Clock, class Duration>
  static std::chrono::nanoseconds until(std::chrono::time_point<Clock, Duration> tp) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(tp - Clock::now());
  }

  // One step of DICT.SCAN / SET.SCAN / NS.SCAN (PROTOCOL.md §8): sends
  // `command name cursor COUNT count`, sets `cursor` to the next one (0 when
  // the scan is over) and returns the page of elements.
  std::vector<protocol::Reply> scan_step(std::string_view command, std::int64_t& cursor,
                                         std::int64_t count) const {
    protocol::Reply r = cmd(command, cursor, "COUNT", count);
    if (r.elements.size() != 2)
      throw ProtocolError(std::string(command) + ": expected two elements");
    const std::string& next = r.elements[0].str;
    auto [end, ec] = std::from_chars(next.data(), next.data() + next.size(), cursor);
    if (next.empty() || ec != std::errc() || end != next.data() + next.size() || cursor < 0) {
      throw ProtocolError(std::string(command) + ": bad cursor in the reply");
    }
    return std::move(r.elements[1].elements);
  }

  // Decodes a value reply; references to shared objects in it become
  // proxies through this object's client.
  template <class T>
  T dec(const protocol::Reply& r) const {
    detail::DecodingScope scope(client_);
    return decode<T>(r);
  }
  template <class T>
  std::vector<T> dec_all(const protocol::Reply& r) const {
    detail::DecodingScope scope(client_);
    std::vector<T> out;
    out.reserve(r.elements.size());
    for (const auto& e : r.elements) out.push_back(decode<T>(e));
    return out;
  }

  Client client_;
  std::string name_;
  std::shared_ptr<detail::AnonRef> ref_;
};

// A proxy: an Object with its type's name (`static constexpr type_name`).
template <class P>
concept shared_proxy = std::derived_from<P, Object> && requires {
  { P::type_name } -> std::convertible_to<std::string_view>;
} && std::constructible_from<P, Client, std::string>;

// A proxy stored as a value is a reference to its object, {"$ref": ["dict",
// "name"]} (docs/values.md): whoever reads it gets a proxy of the same
// object, so an inner container is changed in place for every process.
// Storing a reference to an anonymous object first takes a detached
// reference to it (REF.INC name DETACHED), so that it lives as long as a
// stored value may name it.
template <shared_proxy P>
struct json_codec<P> {
  static values::json to_json(const P& p) {
    if (p.anonymous()) p.client().command("REF.INC", p.name(), "DETACHED");
    return {{"$ref", values::json::array({std::string(P::type_name), p.name()})}};
  }
  static P from_json(const values::json& j) {
    const std::string what = "a reference to a shared " + std::string(P::type_name);
    if (values::special_key(j) != "$ref") values::fail(what, j);
    const auto& r = j.begin().value();
    if (!r.is_array() || r.size() != 2 || !r[0].is_string() || !r[1].is_string() ||
        r[0].template get_ref<const std::string&>() != P::type_name) {
      values::fail(what, j);
    }
    if (detail::decoding_client == nullptr || !detail::decoding_client->valid()) {
      throw ValueError(what + " read without a client");
    }
    return P(*detail::decoding_client, r[1].template get<std::string>());
  }
  static bool exact(const values::json& j) {
    return values::special_key(j) == "$ref" && j.begin().value().is_array() &&
           j.begin().value().size() == 2 && j.begin().value()[0] == std::string(P::type_name);
  }
};

namespace detail {
// Decodes an array reply element by element.
template <codable T>
std::vector<T> decode_all(const protocol::Reply& r) {
  std::vector<T> out;
  out.reserve(r.elements.size());
  for (const auto& e : r.elements) out.push_back(decode<T>(e));
  return out;
}
// The largest stop index: slices clamp it to the length (PROTOCOL.md §6).
inline constexpr std::string_view kSliceEnd = "9223372036854775807";
}  // namespace detail

namespace detail {

// The iterator of a range-for over a proxy: reads the object in batches, each
// one command (a step of DICT.SCAN, SET.SCAN or NS.SCAN for a dict, a set or
// a namespace; a slice of 1000 elements for a list), and yields each element.
// Single pass; copies share one position. `end()` is std::default_sentinel.
template <class T>
class BatchIterator {
 public:
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using reference = const T&;
  using pointer = const T*;
  using iterator_category = std::input_iterator_tag;
  // Appends the batch at `cursor` to out, advances the cursor; false when
  // the batch was the last.
  using Fetch = std::function<bool(std::int64_t& cursor, std::vector<T>& out)>;

  BatchIterator() = default;
  explicit BatchIterator(Fetch fetch) : state_(std::make_shared<State>()) {
    state_->fetch = std::move(fetch);
    state_->more = true;
    fill();
  }
  const T& operator*() const { return state_->batch[state_->i]; }
  const T* operator->() const { return &state_->batch[state_->i]; }
  BatchIterator& operator++() {
    if (++state_->i == state_->batch.size()) fill();
    return *this;
  }
  void operator++(int) { ++*this; }
  friend bool operator==(const BatchIterator& it, std::default_sentinel_t) {
    return !it.state_ || it.state_->i >= it.state_->batch.size();
  }

 private:
  struct State {
    Fetch fetch;
    std::int64_t cursor = 0;
    std::vector<T> batch;
    std::size_t i = 0;
    bool more = false;
  };
  // The next non-empty batch, or an empty one at the end.
  void fill() {
    state_->batch.clear();
    state_->i = 0;
    while (state_->batch.empty() && state_->more) {
      state_->more = state_->fetch(state_->cursor, state_->batch);
    }
  }
  std::shared_ptr<State> state_;
};

template <class T>
concept streamable = requires(std::ostream& os, const T& v) {
  os << v;
};

// What every element reference (`d[k]`, `l[i]`, `a[i]`) shares: it compares
// and streams as its element does, and prints as Python does.
//
// It is a reference, not a copy: `auto x = d[k]` reads the element each
// time x is used (write `V x = d[k]` or `d.at(k)` for a copy). It has a
// user-provided destructor, so it is not trivially copyable, and passing it
// to a C variadic function (`printf("%d", d[k])`) does not compile: clang
// refuses such arguments, and for GCC this header makes its
// -Wconditionally-supported warning an error (procshare::client also adds
// -Werror=conditionally-supported to its users' flags).
template <class Derived, class V>
class ElementRef {
 public:
  ~ElementRef() {}  // NOLINT: user-provided on purpose (see above)

  // Against anything the element compares with (a template, so that
  // `d[k] == 4000` for a long element is not ambiguous with the built-in ==).
  template <class U>
  requires(!std::derived_from<U, ElementRef> &&
           requires(const V& v, const U& u) {
             { v == u } -> std::convertible_to<bool>;
           }) friend bool
  operator==(const Derived& r, const U& u) {
    return r.get() == u;
  }
  friend bool operator==(const Derived& a, const Derived& b) requires std::equality_comparable<V> {
    return a.get() == b.get();
  }
  template <class U>
  requires(!std::derived_from<U, ElementRef> &&
           requires(const V& v, const U& u) { v <=> u; }) friend auto
  operator<=>(const Derived& r, const U& u) {
    return r.get() <=> u;
  }
  // As std::cout << element: a string bare, a number as C++ streams it, and
  // a type without operator<< (a vector, a map) as Python prints it.
  friend std::ostream& operator<<(std::ostream& os, const Derived& r) {
    if constexpr (streamable<V>) {
      return os << r.get();
    } else {
      return os << procshare::str(r.get());
    }
  }
  void procshare_repr(std::string& out) const { repr_to(out, self().get()); }
  std::string procshare_str() const {
    if constexpr (streamable<V>) {
      std::ostringstream os;
      os << self().get();
      return os.str();
    } else {
      return procshare::str(self().get());
    }
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace detail

}  // namespace procshare

// See detail::ElementRef: an element reference through C varargs is an error.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic error "-Wconditionally-supported"
#endif

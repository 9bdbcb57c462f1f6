#pragma once
// Value<T> and Array<T>: Python's Manager().Value and Manager().Array
// (PROTOCOL.md §6 "value", "array"). The server stores integers (int, also
// for bool), doubles (float), or bytes (every other codable T), and checks
// every value it stores, so incr() is an atomic add on the server.
//
//   auto counter = client.value<long>("counter");
//   counter.incr();                       // VALUE.INCRBY: atomic
//   counter += 5;
//   long now = counter;                   // VALUE.GET
//   auto arr = client.array<double>("weights", 10);
//   arr[3] = 0.5;
#include <concepts>
#include <initializer_list>
#include <vector>

#include "procshare/object.hpp"

namespace procshare {

namespace detail {
template <class T>
constexpr std::string_view elem_type() {
  if constexpr (number_int<T> || std::same_as<T, bool>) {
    return "int";
  } else if constexpr (std::floating_point<T>) {
    return "float";
  } else {
    return "bytes";
  }
}
template <class T>
concept arithmetic_value = number_int<T> || std::floating_point<T>;
// A bool on an int-typed value or array is stored as 1/0 (the server checks
// every value it stores), not as the tagged JSON `true` of a dict value.
template <class T>
decltype(auto) typed_arg(const T& v) {
  if constexpr (std::same_as<T, bool>) {
    return static_cast<int>(v);
  } else {
    return (v);
  }
}
}  // namespace detail

template <codable T>
class Value : public Object {
 public:
  static constexpr std::string_view type_name = "value";
  Value() = default;
  Value(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}

  T get() const { return dec<T>(cmd("VALUE.GET")); }
  void set(const T& v) const { cmd("VALUE.SET", detail::typed_arg(v)); }
  operator T() const { return get(); }  // NOLINT: implicit, as Python's value.value
  Value& operator=(const T& v) {
    set(v);
    return *this;
  }
  // Adds `by` atomically; returns the new value.
  T incr(T by = 1) const requires detail::arithmetic_value<T> {
    if constexpr (std::integral<T>) {
      return dec<T>(cmd("VALUE.INCRBY", static_cast<std::int64_t>(by)));
    } else {
      return dec<T>(cmd("VALUE.INCRBYFLOAT", static_cast<double>(by)));
    }
  }
  const Value& operator+=(T by) const requires detail::arithmetic_value<T> {
    incr(by);
    return *this;
  }
  const Value& operator-=(T by) const requires detail::arithmetic_value<T> {
    incr(-by);
    return *this;
  }
  const Value& operator++() const requires std::integral<T> {
    incr(1);
    return *this;
  }
  // As Python prints a shared Value: Value(5).
  void procshare_repr(std::string& out) const {
    out += "Value(";
    repr_to(out, get());
    out += ')';
  }
  // Sets `desired` if the value is `expected` (compared as stored); true if
  // it did.
  bool compare_exchange(const T& expected, const T& desired) const {
    return cmd("VALUE.CAS", detail::typed_arg(expected), detail::typed_arg(desired)).integer != 0;
  }
};

template <codable T>
class Array : public Object {
 public:
  static constexpr std::string_view type_name = "array";
  class Ref : public detail::ElementRef<Ref, T> {
   public:
    Ref(const Array* array, std::int64_t index) : array_(array), index_(index) {}
    Ref(const Ref&) = default;
    Ref& operator=(const T& v) {
      array_->set(index_, v);
      return *this;
    }
    Ref& operator=(const Ref& other) { return *this = other.get(); }
    operator T() const { return get(); }  // NOLINT: implicit, as a vector's T&
    T get() const { return array_->at(index_); }
    Ref& operator+=(T by) requires detail::arithmetic_value<T> {
      array_->incr(index_, by);
      return *this;
    }

   private:
    const Array* array_;
    std::int64_t index_;
  };

  Array() = default;
  Array(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}

  Ref operator[](std::int64_t index) const { return Ref(this, index); }
  T at(std::int64_t index) const { return dec<T>(cmd("ARRAY.GET", index)); }
  void set(std::int64_t index, const T& v) const { cmd("ARRAY.SET", index, detail::typed_arg(v)); }
  std::size_t size() const { return static_cast<std::size_t>(cmd("ARRAY.LEN").integer); }
  std::vector<T> range(std::int64_t start, std::int64_t stop) const {
    return dec_all<T>(cmd("ARRAY.RANGE", start, stop));
  }
  // A snapshot of every element.
  std::vector<T> to_vector() const {
    return dec_all<T>(cmd("ARRAY.RANGE", "0", detail::kSliceEnd));
  }
  // As Python prints a shared array's elements: [1, 2, 3].
  void procshare_repr(std::string& out) const { print::seq_repr(out, to_vector(), '[', ']'); }
  // Adds `by` to element index atomically; returns the new value.
  T incr(std::int64_t index, T by = 1) const requires detail::arithmetic_value<T> {
    return dec<T>(cmd("ARRAY.INCRBY", index, by));
  }
};

namespace detail {
template <class T>
std::vector<std::string> value_options(const T& initial) {
  std::vector<std::string> o{"TYPE", std::string(elem_type<T>())};
  // INIT is not part of a value's identity (CREATE ... EXISTOK opens an
  // existing value whatever it holds), so it is always safe to send.
  o.push_back("INIT");
  o.push_back(encode(typed_arg(initial)));
  return o;
}
template <class T>
std::vector<std::string> array_init_options(const std::vector<T>& initial) {
  std::vector<std::string> o{"TYPE", std::string(elem_type<T>())};
  if (initial.empty()) {
    o.insert(o.end(), {"LEN", "0"});
    return o;
  }
  o.push_back("INIT");
  for (const auto& v : initial) o.push_back(encode(typed_arg(v)));
  return o;
}
}  // namespace detail

template <codable T>
Value<T> Client::value(std::string_view name, const T& initial) const {
  auto options = detail::value_options(initial);
  create("value", name, options);
  return Value<T>(*this, std::string(name));
}

template <codable T>
Value<T> Client::value() const {
  auto options = detail::value_options(T{});
  auto ref = create_anonymous("value", options);
  std::string name = ref->name;
  return Value<T>(*this, std::move(name), std::move(ref));
}

template <codable T>
Array<T> Client::array(std::string_view name, std::size_t length) const {
  std::vector<std::string> options{"TYPE", std::string(detail::elem_type<T>()), "LEN",
                                   std::to_string(length)};
  create("array", name, options);
  return Array<T>(*this, std::string(name));
}

template <codable T>
Array<T> Client::array(std::string_view name, const std::vector<T>& initial) const {
  create("array", name, detail::array_init_options(initial));
  return Array<T>(*this, std::string(name));
}

template <codable T>
Array<T> Client::array(const std::vector<T>& initial) const {
  auto ref = create_anonymous("array", detail::array_init_options(initial));
  std::string name = ref->name;
  return Array<T>(*this, std::move(name), std::move(ref));
}

}  // namespace procshare

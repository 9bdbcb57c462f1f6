#pragma once
// List<T>: a shared list (PROTOCOL.md §6 "list"), Python's list proxy.
// Indexes are Python's: negative ones count from the end; range() takes a
// slice [start, stop). Element access out of range throws IndexError.
#include <initializer_list>
#include <ranges>
#include <vector>

#include "procshare/object.hpp"

namespace procshare {

template <codable T>
class List : public Object {
 public:
  static constexpr std::string_view type_name = "list";
  // `l[i]`: reads and writes one element. Must not outlive its List.
  class Ref : public detail::ElementRef<Ref, T> {
   public:
    Ref(const List* list, std::int64_t index) : list_(list), index_(index) {}
    Ref(const Ref&) = default;
    Ref& operator=(const T& v) {
      list_->set(index_, v);
      return *this;
    }
    Ref& operator=(const Ref& other) { return *this = other.get(); }
    operator T() const { return get(); }  // NOLINT: implicit, as a vector's T&
    T get() const { return list_->at(index_); }

   private:
    const List* list_;
    std::int64_t index_;
  };

  List() = default;
  List(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}

  Ref operator[](std::int64_t index) const { return Ref(this, index); }

  // Appends; returns the new length.
  std::size_t append(const T& v) const { return length(cmd("LIST.APPEND", v)); }
  std::size_t push_back(const T& v) const { return append(v); }
  // Appends every element in one command; returns the new length.
  template <std::ranges::input_range R>
  std::size_t extend(const R& values) const {
    std::vector<std::string> args;
    for (const auto& v : values) args.push_back(encode(T(v)));
    if (args.empty()) return size();
    std::vector<std::string_view> views{"LIST.EXTEND", name()};
    views.insert(views.end(), args.begin(), args.end());
    touch();
    return length(client_.call(views));
  }
  std::size_t extend(std::initializer_list<T> values) const {
    return extend(std::vector<T>(values));
  }
  // Inserts before index (clamped, as Python's list.insert).
  void insert(std::int64_t index, const T& v) const { cmd("LIST.INSERT", index, v); }
  // Removes and returns the element at index (the last by default).
  T pop(std::int64_t index = -1) const { return dec<T>(cmd("LIST.POP", index)); }
  T at(std::int64_t index) const { return dec<T>(cmd("LIST.GET", index)); }
  void set(std::int64_t index, const T& v) const { cmd("LIST.SET", index, v); }
  void erase(std::int64_t index) const { cmd("LIST.DEL", index); }
  std::size_t size() const { return length(cmd("LIST.LEN")); }
  bool empty() const { return size() == 0; }
  // A snapshot of the slice [start, stop).
  std::vector<T> range(std::int64_t start, std::int64_t stop) const {
    return dec_all<T>(cmd("LIST.RANGE", start, stop));
  }
  // A snapshot of the whole list.
  std::vector<T> to_vector() const { return dec_all<T>(cmd("LIST.RANGE", "0", detail::kSliceEnd)); }
  // The index of the first element equal to v; ValueError when absent.
  std::int64_t index(const T& v) const { return cmd("LIST.INDEX", v).integer; }
  std::size_t count(const T& v) const { return length(cmd("LIST.COUNT", v)); }
  // Removes the first element equal to v; ValueError when absent.
  void remove(const T& v) const { cmd("LIST.REMOVE", v); }
  void reverse() const { cmd("LIST.REVERSE"); }
  // Sorts by bytes, or as numbers when `numeric` (default: when T is a number).
  void sort(bool descending = false,
            bool numeric = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) const {
    std::vector<std::string_view> args{"LIST.SORT", name()};
    if (numeric) args.push_back("NUMERIC");
    if (descending) args.push_back("REVERSE");
    touch();
    client_.call(args);
  }
  void clear() const { cmd("LIST.CLEAR"); }

  // `for (const T& v : l)`: reads the list in slices of kBatch elements, one
  // command each (LIST.RANGE), as Python iterates a list by index: elements
  // inserted or removed by others meanwhile may shift what is seen.
  static constexpr std::int64_t kBatch = 1000;
  using value_type = T;
  using iterator = detail::BatchIterator<T>;
  iterator begin() const {
    return iterator([self = *this](std::int64_t& start, std::vector<T>& out) {
      out = self.range(start, start + kBatch);
      start += kBatch;
      return static_cast<std::int64_t>(out.size()) == kBatch;
    });
  }
  std::default_sentinel_t end() const { return {}; }
  // As Python prints a list: [1, 2, 3].
  void procshare_repr(std::string& out) const { print::seq_repr(out, to_vector(), '[', ']'); }

 private:
  static std::size_t length(const protocol::Reply& r) {
    return static_cast<std::size_t>(r.integer);
  }
};

template <codable T>
List<T> Client::list(std::string_view name) const {
  create("list", name);
  return List<T>(*this, std::string(name));
}

template <codable T>
List<T> Client::list() const {
  auto ref = create_anonymous("list");
  std::string name = ref->name;
  return List<T>(*this, std::move(name), std::move(ref));
}

}  // namespace procshare

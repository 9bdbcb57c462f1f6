#pragma once
// Set<T>: a shared set (PROTOCOL.md §6 "set"), Python's set proxy.
#include <initializer_list>
#include <ranges>
#include <vector>

#include "procshare/object.hpp"

namespace procshare {

template <codable T>
class Set : public Object {
 public:
  static constexpr std::string_view type_name = "set";
  Set() = default;
  Set(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}

  // Adds v; true if it was new.
  bool add(const T& v) const { return cmd("SET.ADD", v).integer != 0; }
  bool insert(const T& v) const { return add(v); }
  // Adds every value in one command; returns how many were new.
  template <std::ranges::input_range R>
  std::size_t add_all(const R& values) const {
    return many("SET.ADD", values);
  }
  std::size_t add_all(std::initializer_list<T> values) const {
    return add_all(std::vector<T>(values));
  }
  // Removes v if present; true if it was.
  bool discard(const T& v) const { return cmd("SET.DISCARD", v).integer != 0; }
  template <std::ranges::input_range R>
  std::size_t discard_all(const R& values) const {
    return many("SET.DISCARD", values);
  }
  // Removes v; KeyError when absent.
  void remove(const T& v) const { cmd("SET.REMOVE", v); }
  bool contains(const T& v) const { return cmd("SET.HAS", v).integer != 0; }
  std::size_t size() const { return static_cast<std::size_t>(cmd("SET.LEN").integer); }
  bool empty() const { return size() == 0; }
  // A snapshot of the members, in no particular order.
  std::vector<T> members() const { return dec_all<T>(cmd("SET.MEMBERS")); }
  // Removes and returns some member; KeyError when empty.
  T pop() const { return dec<T>(cmd("SET.POP")); }
  void clear() const { cmd("SET.CLEAR"); }

  // `for (const T& v : s)`: reads the set in steps of kBatch members, one
  // SET.SCAN each, so a large set never travels in one reply. Not a
  // snapshot: a member present for the whole loop is seen at least once; one
  // added or removed meanwhile may be seen or not; and when others delete
  // enough meanwhile that the server compacts the set, some members come
  // twice (not filtered: that would keep every member seen). For one
  // consistent copy take members().
  static constexpr std::int64_t kBatch = 1000;
  using value_type = T;
  using iterator = detail::BatchIterator<T>;
  iterator begin() const {
    return iterator([self = *this](std::int64_t& cursor, std::vector<T>& out) {
      const std::vector<protocol::Reply> page = self.scan_step("SET.SCAN", cursor, kBatch);
      out.reserve(page.size());
      for (const protocol::Reply& m : page) out.push_back(self.template dec<T>(m));
      return cursor != 0;
    });
  }
  std::default_sentinel_t end() const { return {}; }
  // As Python prints a set: {1, 2, 3}, or set() when empty.
  void procshare_repr(std::string& out) const {
    auto m = members();
    if (m.empty()) {
      out += "set()";
    } else {
      print::seq_repr(out, m, '{', '}');
    }
  }

 private:
  template <class R>
  std::size_t many(std::string_view command, const R& values) const {
    std::vector<std::string> args;
    for (const auto& v : values) args.push_back(encode(T(v)));
    if (args.empty()) return 0;
    std::vector<std::string_view> views{command, name()};
    views.insert(views.end(), args.begin(), args.end());
    touch();
    return static_cast<std::size_t>(client_.call(views).integer);
  }
};

template <codable T>
Set<T> Client::set(std::string_view name) const {
  create("set", name);
  return Set<T>(*this, std::string(name));
}

template <codable T>
Set<T> Client::set() const {
  auto ref = create_anonymous("set");
  std::string name = ref->name;
  return Set<T>(*this, std::move(name), std::move(ref));
}

}  // namespace procshare

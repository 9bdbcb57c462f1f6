#pragma once
// Dict<K, V>: a shared dict (PROTOCOL.md §6 "dict"), Python's dict proxy.
//
//   auto d = client.dict<std::string, long>("scores");
//   d["alice"] = 3;                 // DICT.SET through a reference proxy
//   d["alice"] += 2;                // DICT.INCRBY: atomic on the server
//   long a = d["alice"];            // DICT.GET; KeyError when missing
//   std::optional<long> b = d.get("bob");
//   for (auto& [k, v] : d.items())  // a snapshot, taken in one command
//   for (auto& [k, v] : d)          // in batches (DICT.SCAN): see begin()
//
// Every method is one command, so each is atomic; a read-modify-write of
// several calls is not (use incr(), setdefault(), or a Lock).
#include <concepts>
#include <initializer_list>
#include <optional>
#include <ranges>
#include <utility>
#include <vector>

#include "procshare/object.hpp"

namespace procshare {

template <codable K, codable V>
class Dict : public Object {
 public:
  static constexpr std::string_view type_name = "dict";
  // `d[k]`: reads and writes one key. Holds a pointer to its Dict, so it must
  // not outlive it (use it within the expression, as with std::map).
  class Ref : public detail::ElementRef<Ref, V> {
   public:
    Ref(const Dict* dict, K key) : dict_(dict), key_(std::move(key)) {}
    Ref(const Ref&) = default;
    Ref& operator=(const V& v) {
      dict_->set(key_, v);
      return *this;
    }
    Ref& operator=(const Ref& other) { return *this = other.get(); }
    operator V() const { return get(); }  // NOLINT: implicit, as a map's mapped_type&
    V get() const { return dict_->at(key_); }
    V value_or(const V& fallback) const { return dict_->get(key_, fallback); }
    bool exists() const { return dict_->contains(key_); }
    Ref& operator+=(const V& by) requires std::integral<V> || std::floating_point<V> {
      dict_->incr(key_, by);
      return *this;
    }
    Ref& operator-=(const V& by) requires std::integral<V> || std::floating_point<V> {
      dict_->incr(key_, -by);
      return *this;
    }
    Ref& operator++() requires std::integral<V> {
      dict_->incr(key_, 1);
      return *this;
    }
    Ref& operator--() requires std::integral<V> {
      dict_->incr(key_, -1);
      return *this;
    }

   private:
    const Dict* dict_;
    K key_;
  };

  Dict() = default;
  // Attaches to the object `name` without creating it (Client::dict creates).
  Dict(Client client, std::string name, std::shared_ptr<detail::AnonRef> ref = nullptr)
      : Object(std::move(client), std::move(name), std::move(ref)) {}

  Ref operator[](const K& key) const { return Ref(this, key); }

  // Sets key to value; true if the key is new.
  bool set(const K& key, const V& value) const { return cmd("DICT.SET", key, value).integer != 0; }
  // The value, or nullopt when the key is missing.
  std::optional<V> get(const K& key) const {
    protocol::Reply r = cmd_raw("DICT.GET", key);
    if (r.is_error() && r.error_code() == "KEYERROR") return std::nullopt;
    return dec<V>(r);
  }
  V get(const K& key, const V& fallback) const {
    return dec<V>(cmd("DICT.GET", key, "DEFAULT", fallback));
  }
  // The value; KeyError when the key is missing.
  V at(const K& key) const { return dec<V>(cmd("DICT.GET", key)); }
  bool contains(const K& key) const { return cmd("DICT.HAS", key).integer != 0; }
  std::size_t size() const { return static_cast<std::size_t>(cmd("DICT.LEN").integer); }
  bool empty() const { return size() == 0; }
  // Removes key; false if it was missing.
  bool erase(const K& key) const {
    protocol::Reply r = cmd_raw("DICT.DEL", key);
    if (r.is_error() && r.error_code() == "KEYERROR") return false;
    if (r.is_error()) throw_error(r);
    return true;
  }
  // Removes key and returns its value; KeyError when missing.
  V pop(const K& key) const { return dec<V>(cmd("DICT.POP", key)); }
  V pop(const K& key, const V& fallback) const {
    return dec<V>(cmd("DICT.POP", key, "DEFAULT", fallback));
  }
  // Removes and returns the last inserted item (LIFO); KeyError when empty.
  std::pair<K, V> popitem() const {
    protocol::Reply r = cmd("DICT.POPITEM");
    if (r.elements.size() != 2) throw ProtocolError("DICT.POPITEM: expected two elements");
    return {dec<K>(r.elements[0]), dec<V>(r.elements[1])};
  }
  // The value of key, set to `value` first if missing.
  V setdefault(const K& key, const V& value) const {
    return dec<V>(cmd("DICT.SETDEFAULT", key, value));
  }
  // Sets every pair of `items` in one command; returns how many keys were new.
  template <std::ranges::input_range R>
  std::int64_t update(const R& items) const {
    std::vector<std::string> args;
    for (const auto& [k, v] : items) {
      args.push_back(encode(K(k)));
      args.push_back(encode(V(v)));
    }
    if (args.empty()) return 0;
    std::vector<std::string_view> views{"DICT.UPDATE", name()};
    views.insert(views.end(), args.begin(), args.end());
    touch();
    return client_.call(views).integer;
  }
  std::int64_t update(std::initializer_list<std::pair<K, V>> items) const {
    return update(std::vector<std::pair<K, V>>(items));
  }
  void clear() const { cmd("DICT.CLEAR"); }
  // Adds `by` to the number at key (a missing key counts as 0), atomically;
  // returns the new value.
  V incr(const K& key, V by = 1) const requires std::integral<V> || std::floating_point<V> {
    if constexpr (std::integral<V>) {
      return dec<V>(cmd("DICT.INCRBY", key, static_cast<std::int64_t>(by)));
    } else {
      return dec<V>(cmd("DICT.INCRBYFLOAT", key, static_cast<double>(by)));
    }
  }

  // Snapshots, each taken by one command.
  std::vector<K> keys() const { return dec_all<K>(cmd("DICT.KEYS")); }
  std::vector<V> values() const { return dec_all<V>(cmd("DICT.VALUES")); }
  std::vector<std::pair<K, V>> items() const {
    protocol::Reply r = cmd("DICT.ITEMS");
    std::vector<std::pair<K, V>> out;
    out.reserve(r.elements.size() / 2);
    for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
      out.emplace_back(dec<K>(r.elements[i]), dec<V>(r.elements[i + 1]));
    }
    return out;
  }
  // `for (const auto& [k, v] : d)`: reads the dict in steps of kBatch items,
  // one DICT.SCAN each, in insertion order, so a large dict never travels in
  // one reply. Not a snapshot: an item present for the whole loop is seen at
  // least once; one added or removed meanwhile may be seen or not; and when
  // others delete enough meanwhile that the server compacts the dict, some
  // items come twice (the client does not filter them: that would keep every
  // key seen). For one consistent copy take items().
  static constexpr std::int64_t kBatch = 1000;
  using value_type = std::pair<K, V>;
  using iterator = detail::BatchIterator<value_type>;
  iterator begin() const {
    return iterator([self = *this](std::int64_t& cursor, std::vector<value_type>& out) {
      const std::vector<protocol::Reply> page = self.scan_step("DICT.SCAN", cursor, kBatch);
      out.reserve(page.size() / 2);
      for (std::size_t i = 0; i + 1 < page.size(); i += 2) {
        out.emplace_back(self.template dec<K>(page[i]), self.template dec<V>(page[i + 1]));
      }
      return cursor != 0;
    });
  }
  std::default_sentinel_t end() const { return {}; }
  // As Python prints a dict: {'a': 1, 'b': [1, 2]}.
  void procshare_repr(std::string& out) const {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : items()) {
      if (!first) out += ", ";
      first = false;
      repr_to(out, k);
      out += ": ";
      repr_to(out, v);
    }
    out += '}';
  }

  // A snapshot as any map type: `d.copy()` is a std::map<K, V>.
  template <class Map = std::map<K, V>>
  Map copy() const {
    Map m;
    for (auto& [k, v] : items()) m.emplace(std::move(k), std::move(v));
    return m;
  }
};

template <codable K, codable V>
Dict<K, V> Client::dict(std::string_view name) const {
  create("dict", name);
  return Dict<K, V>(*this, std::string(name));
}

template <codable K, codable V>
Dict<K, V> Client::dict() const {
  auto ref = create_anonymous("dict");
  std::string name = ref->name;
  return Dict<K, V>(*this, std::move(name), std::move(ref));
}

}  // namespace procshare

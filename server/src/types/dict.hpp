#pragma once
// The `dict` type: Python's dict of byte strings, in insertion order, with
// LIFO popitem(), plus Redis's HINCRBY/HINCRBYFLOAT (a missing key counts as
// 0). No RESP here: dict_commands.cpp is the glue. Returned string_views stay
// valid until the next change of the dict.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "compact_table.hpp"
#include "procshare/server/object.hpp"

namespace procshare::server {

class DictObject : public Object {
 public:
  std::size_t size() const override { return table_.size(); }

  std::optional<std::string_view> get(std::string_view key) const;
  bool contains(std::string_view key) const { return table_.contains(key); }
  // d[key] = value; true when the key is new.
  bool set(std::string_view key, std::string_view value) { return table_.set(key, value); }
  // del d[key]; false when absent.
  bool erase(std::string_view key) { return table_.erase(key); }
  // d.pop(key): the removed value, nullopt when absent.
  std::optional<std::string> pop(std::string_view key);
  // d.popitem(): the newest pair, nullopt when empty.
  std::optional<std::pair<std::string, std::string>> popitem();
  // d.setdefault(key, value): the value now under key.
  std::string_view setdefault(std::string_view key, std::string_view value);
  void clear() { table_.clear(); }

  // d[key] += n for a value that reads as an int64 (VALUEERROR if it does not
  // or on overflow); a missing key counts as 0. Returns the new value.
  std::int64_t incrby(std::string_view key, std::int64_t n);
  // The same for doubles; the result must be finite (VALUEERROR).
  double incrbyfloat(std::string_view key, double x);

  // One step of DICT.SCAN: CompactTable::scan.
  template <class F>
  std::uint64_t scan(std::uint64_t cursor, std::size_t count, F&& f) const {
    return table_.scan(cursor, count, std::forward<F>(f));
  }

  // f(key, value) for each item in insertion order.
  template <class F>
  void for_each(F&& f) const {
    table_.for_each(std::forward<F>(f));
  }

 private:
  CompactTable table_;
};

}  // namespace procshare::server

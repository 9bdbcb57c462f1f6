#pragma once
// The `set` type: Python's set of byte strings. Members keep insertion order
// (a CompactTable with empty values), and pop() takes the newest member in
// O(1); Python only promises "an arbitrary element". No RESP here:
// set_commands.cpp is the glue.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "compact_table.hpp"
#include "procshare/server/object.hpp"

namespace procshare::server {

class SetObject : public Object {
 public:
  std::size_t size() const override { return table_.size(); }

  // s.add(v); true when v is new.
  bool add(std::string_view member) { return table_.set(member, {}); }
  // s.discard(v); true when v was there.
  bool discard(std::string_view member) { return table_.erase(member); }
  bool contains(std::string_view member) const { return table_.contains(member); }
  // s.pop(); nullopt when empty.
  std::optional<std::string> pop();
  void clear() { table_.clear(); }

  // One step of SET.SCAN (CompactTable::scan): f(member).
  template <class F>
  std::uint64_t scan(std::uint64_t cursor, std::size_t count, F&& f) const {
    return table_.scan(cursor, count,
                       [&](std::string_view member, std::string_view) { f(member); });
  }

  // f(member) for each member, oldest first.
  template <class F>
  void for_each(F&& f) const {
    table_.for_each([&](std::string_view member, std::string_view) { f(member); });
  }

 private:
  CompactTable table_;
};

}  // namespace procshare::server

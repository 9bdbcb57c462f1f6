#pragma once
// The `namespace` type: Python's managers.Namespace, a bag of named
// attributes (byte strings) kept in the order they were first set. No RESP
// here: namespace_commands.cpp is the glue.
#include <optional>
#include <string_view>
#include <utility>

#include "compact_table.hpp"
#include "procshare/server/object.hpp"

namespace procshare::server {

class NamespaceObject : public Object {
 public:
  std::size_t size() const override { return table_.size(); }

  // getattr(ns, attr); nullopt when unset. Valid until the next change.
  std::optional<std::string_view> get(std::string_view attr) const;
  bool has(std::string_view attr) const { return table_.contains(attr); }
  // setattr(ns, attr, value); true when the attribute is new.
  bool set(std::string_view attr, std::string_view value) { return table_.set(attr, value); }
  // delattr(ns, attr); false when unset.
  bool erase(std::string_view attr) { return table_.erase(attr); }

  // One step of NS.SCAN: CompactTable::scan.
  template <class F>
  std::uint64_t scan(std::uint64_t cursor, std::size_t count, F&& f) const {
    return table_.scan(cursor, count, std::forward<F>(f));
  }

  // f(attr, value) for each attribute, in the order first set.
  template <class F>
  void for_each(F&& f) const {
    table_.for_each(std::forward<F>(f));
  }

 private:
  CompactTable table_;
};

}  // namespace procshare::server

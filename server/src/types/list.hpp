#pragma once
// The `list` type: Python's list of byte strings, with Python's index rules
// (negative from the end, IndexError when out of range, insert() clamps).
// A deque, so that appends and pops at either end are O(1): LIST.POP l 0 is
// a common way to use a list as a work queue. No RESP here:
// list_commands.cpp is the glue.
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "indexing.hpp"
#include "procshare/server/object.hpp"
#include "procshare/server/wait_queue.hpp"

namespace procshare::server {

class ListObject : public Object {
 public:
  ListObject() : pushed_(*this) {}

  std::size_t size() const override { return items_.size(); }

  // Clients waiting for items: every change that adds items notifies it.
  // The waiters are served after the command that added them.
  WaitQueue& pushed() { return pushed_; }

  void append(std::string_view v) {
    items_.emplace_back(v);
    pushed_.notify();
  }
  void extend(std::span<const std::string_view> vs);
  void insert(std::int64_t i, std::string_view v);
  // Redis LPUSH / RPUSH: each value in turn becomes the first (last) item.
  // Returns the length right after the push, before any waiter took an item
  // (what LPUSH replies).
  std::size_t push_front(std::span<const std::string_view> vs);
  std::size_t push_back(std::span<const std::string_view> vs);
  // Redis LREM: removes the first `count` items equal to v (count > 0), the
  // last -count (count < 0) or all of them (0). Returns how many went.
  std::size_t remove_count(std::string_view v, std::int64_t count);
  // l.pop(i): INDEXERROR "pop from empty list" / "pop index out of range".
  std::string pop(std::int64_t i);
  // l[i]: INDEXERROR "list index out of range" (also for set and erase).
  const std::string& at(std::int64_t i) const;
  void set(std::int64_t i, std::string_view v);
  void erase(std::int64_t i);  // del l[i]
  // l[start:stop], Python's slice rules.
  Slice slice(std::int64_t start, std::int64_t stop) const {
    return resolve_slice(start, stop, items_.size());
  }
  const std::string& operator[](std::size_t pos) const { return items_[pos]; }

  // l.index(v); nullopt when absent.
  std::optional<std::size_t> index(std::string_view v) const;
  std::size_t count(std::string_view v) const;
  // l.remove(v): the first occurrence; false when absent.
  bool remove(std::string_view v);
  void reverse();
  // l.sort(): bytewise, or by numeric value (every item must read as a
  // number, else VALUEERROR and the list is unchanged). Stable, also reversed.
  void sort(bool numeric, bool descending);
  void clear() { std::deque<std::string>().swap(items_); }

 private:
  std::size_t position(std::int64_t i) const;  // or INDEXERROR
  std::deque<std::string> items_;
  WaitQueue pushed_;
};

}  // namespace procshare::server

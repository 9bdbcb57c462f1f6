#pragma once
// A map from growing positive ids to values, for a queue's deliveries in
// flight: ids are handed out in increasing order, so entries are appended to
// a deque kept sorted by id, and an erased entry is marked (its id negated)
// and dropped once it reaches either end, or when the marked outnumber the
// live. A lease and its ack then cost no node allocation and no rebalancing,
// as a std::map's did. Lookups are binary searches (the newest entry first);
// iteration is in id order, as std::map's.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <utility>

namespace procshare::server {

template <class V>
class IdTable {
 public:
  using Entry = std::pair<std::int64_t, V>;  // first < 0: erased

 private:
  using Base = typename std::deque<Entry>::iterator;

 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Entry;
    using difference_type = std::ptrdiff_t;
    using pointer = Entry*;
    using reference = Entry&;

    iterator() = default;
    iterator(Base at, Base end) : at_(at), end_(end) { skip(); }
    Entry& operator*() const { return *at_; }
    Entry* operator->() const { return &*at_; }
    iterator& operator++() {
      ++at_;
      skip();
      return *this;
    }
    bool operator==(const iterator& o) const { return at_ == o.at_; }

   private:
    void skip() {
      while (at_ != end_ && at_->first < 0) ++at_;
    }
    Base at_{};
    Base end_{};
  };

  iterator begin() const { return {entries_.begin(), entries_.end()}; }
  iterator end() const { return {entries_.end(), entries_.end()}; }
  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // The live entry of `id`, or null. Pointers stay valid until the next
  // emplace or erase.
  Entry* find(std::int64_t id) const {
    if (entries_.empty()) return nullptr;
    if (entries_.back().first == id) return &entries_.back();  // the newest
    auto it = lower(id);
    return it != entries_.end() && it->first == id ? &*it : nullptr;
  }
  bool contains(std::int64_t id) const { return find(id) != nullptr; }

  // Adds `id` (positive); false, and no change, if it is present.
  bool emplace(std::int64_t id, V value) {
    if (entries_.empty() || std::abs(entries_.back().first) < id) {
      entries_.emplace_back(id, std::move(value));
    } else {
      auto it = lower(id);
      if (it != entries_.end() && it->first == id) return false;
      if (it != entries_.end() && it->first == -id) {
        *it = Entry(id, std::move(value));  // an erased entry's place
      } else {
        entries_.emplace(it, id, std::move(value));
      }
    }
    ++live_;
    return true;
  }

  // Adds `id` (positive, absent) with a default value to fill in place.
  V& insert(std::int64_t id) {
    if (entries_.empty() || std::abs(entries_.back().first) < id) {
      ++live_;
      return entries_.emplace_back(id, V{}).second;
    }
    emplace(id, V{});
    return find(id)->second;
  }

  // Erases a live entry that find() returned.
  void erase(Entry* e) {
    --live_;
    if (e == &entries_.front()) {
      entries_.pop_front();
    } else if (e == &entries_.back()) {
      entries_.pop_back();
    } else {
      e->first = -e->first;
      e->second = V{};  // give back the item's memory now
      if (entries_.size() > 2 * live_ + 64) {
        std::erase_if(entries_, [](const Entry& x) { return x.first < 0; });
      }
      return;
    }
    while (!entries_.empty() && entries_.front().first < 0) entries_.pop_front();
    while (!entries_.empty() && entries_.back().first < 0) entries_.pop_back();
  }

 private:
  // The first entry whose |id| is not below `id` (erased entries keep their
  // place, so the deque stays sorted by |id|).
  Base lower(std::int64_t id) const {
    return std::lower_bound(entries_.begin(), entries_.end(), id,
                            [](const Entry& x, std::int64_t v) { return std::abs(x.first) < v; });
  }

  // Mutable: a const table hands out entries for reading, as std::map's
  // const_iterator would; the queue never writes through them when const.
  mutable std::deque<Entry> entries_;
  std::size_t live_ = 0;
};

}  // namespace procshare::server

#include "list.hpp"

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include "procshare/server/errors.hpp"
#include "scalar.hpp"

namespace procshare::server {

std::size_t ListObject::position(std::int64_t i) const {
  auto pos = resolve_index(i, items_.size());
  if (!pos) fail(ErrorCode::indexerror, "list index out of range");
  return *pos;
}

void ListObject::extend(std::span<const std::string_view> vs) {
  // All or nothing: build the new items first, so a failed allocation leaves
  // the list as it was.
  std::deque<std::string> more(vs.begin(), vs.end());
  for (auto& s : more) items_.push_back(std::move(s));
  pushed_.notify();
}

void ListObject::insert(std::int64_t i, std::string_view v) {
  const std::size_t pos = clamp_insert_index(i, items_.size());
  items_.emplace(items_.begin() + static_cast<std::ptrdiff_t>(pos), v);
  pushed_.notify();
}

std::size_t ListObject::push_front(std::span<const std::string_view> vs) {
  // Built first, as in extend(): a failed allocation changes nothing.
  std::deque<std::string> more(vs.rbegin(), vs.rend());
  for (auto it = more.rbegin(); it != more.rend(); ++it) items_.push_front(std::move(*it));
  const std::size_t n = items_.size();
  pushed_.notify();
  return n;
}

std::size_t ListObject::push_back(std::span<const std::string_view> vs) {
  std::deque<std::string> more(vs.begin(), vs.end());
  for (auto& s : more) items_.push_back(std::move(s));
  const std::size_t n = items_.size();
  pushed_.notify();
  return n;
}

std::size_t ListObject::remove_count(std::string_view v, std::int64_t count) {
  std::size_t removed = 0;
  if (count >= 0) {
    // One stable compaction pass: O(n) however many go.
    const auto limit = count == 0 ? items_.size() : static_cast<std::size_t>(count);
    auto out = items_.begin();
    for (auto it = items_.begin(); it != items_.end(); ++it) {
      if (removed < limit && *it == v) {
        ++removed;
      } else {
        if (out != it) *out = std::move(*it);
        ++out;
      }
    }
    items_.erase(out, items_.end());
    return removed;
  }
  const auto limit = static_cast<std::size_t>(-(count + 1)) + 1;  // -INT64_MIN safely
  auto out = items_.rbegin();
  for (auto it = items_.rbegin(); it != items_.rend(); ++it) {
    if (removed < limit && *it == v) {
      ++removed;
    } else {
      if (out != it) *out = std::move(*it);
      ++out;
    }
  }
  items_.erase(items_.begin(), out.base());
  return removed;
}

std::string ListObject::pop(std::int64_t i) {
  if (items_.empty()) fail(ErrorCode::indexerror, "pop from empty list");
  auto pos = resolve_index(i, items_.size());
  if (!pos) fail(ErrorCode::indexerror, "pop index out of range");
  std::string v = std::move(items_[*pos]);
  if (*pos == 0) {
    items_.pop_front();
  } else if (*pos + 1 == items_.size()) {
    items_.pop_back();
  } else {
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(*pos));
  }
  return v;
}

const std::string& ListObject::at(std::int64_t i) const {
  return items_[position(i)];
}

void ListObject::set(std::int64_t i, std::string_view v) {
  items_[position(i)].assign(v);
}

void ListObject::erase(std::int64_t i) {
  items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(position(i)));
}

std::optional<std::size_t> ListObject::index(std::string_view v) const {
  auto it = std::find(items_.begin(), items_.end(), v);
  if (it == items_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - items_.begin());
}

std::size_t ListObject::count(std::string_view v) const {
  return static_cast<std::size_t>(std::count(items_.begin(), items_.end(), v));
}

bool ListObject::remove(std::string_view v) {
  auto it = std::find(items_.begin(), items_.end(), v);
  if (it == items_.end()) return false;
  items_.erase(it);
  return true;
}

void ListObject::reverse() {
  std::reverse(items_.begin(), items_.end());
}

void ListObject::sort(bool numeric, bool descending) {
  // Python's sort(reverse=True) keeps equal items in their original order,
  // so a descending sort is a stable sort with the comparison turned round,
  // not a reversed ascending sort.
  if (!numeric) {
    if (descending) {
      std::stable_sort(items_.begin(), items_.end(), std::greater<>());
    } else {
      std::stable_sort(items_.begin(), items_.end());
    }
    return;
  }
  // Read every key before moving anything, so a bad item changes nothing.
  std::vector<std::pair<double, std::size_t>> keys;
  keys.reserve(items_.size());
  // Sorting only reads: an item "inf" sorts last, as Python's key=float.
  for (std::size_t i = 0; i < items_.size(); ++i) {
    auto v = to_double(items_[i]);
    if (!v) fail(ErrorCode::valueerror, "value is not a valid float");
    keys.emplace_back(*v, i);
  }
  auto by_key = [descending](const auto& a, const auto& b) {
    return descending ? b.first < a.first : a.first < b.first;
  };
  std::stable_sort(keys.begin(), keys.end(), by_key);
  // Apply the permutation in place, cycle by cycle: string moves cannot
  // throw, so the list is never left half sorted. keys[j].second is where
  // the item that belongs at j comes from; it is set to j once j is filled.
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].second == i) continue;
    std::string first = std::move(items_[i]);
    std::size_t j = i;
    for (;;) {
      const std::size_t from = keys[j].second;
      keys[j].second = j;
      if (from == i) {
        items_[j] = std::move(first);
        break;
      }
      items_[j] = std::move(items_[from]);
      j = from;
    }
  }
}

}  // namespace procshare::server

#pragma once
// Python's index and slice rules, shared by list and array: a negative index
// counts from the end; an index out of range is an error for item access but
// is clamped for insert() and for slices, whose stop is exclusive.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace procshare::server {

// The position of item `i` of a sequence of `len`; nullopt when out of range.
inline std::optional<std::size_t> resolve_index(std::int64_t i, std::size_t len) {
  const auto n = static_cast<std::int64_t>(len);
  if (i < 0) i += n;  // cannot overflow: i < 0 and n >= 0
  if (i < 0 || i >= n) return std::nullopt;
  return static_cast<std::size_t>(i);
}

// Where list.insert(i, v) puts v: clamped to [0, len].
inline std::size_t clamp_insert_index(std::int64_t i, std::size_t len) {
  const auto n = static_cast<std::int64_t>(len);
  if (i < 0) i = std::max<std::int64_t>(i + n, 0);
  return static_cast<std::size_t>(std::min(i, n));
}

// The items of seq[start:stop] are [begin, end); begin == end when empty.
struct Slice {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

inline Slice resolve_slice(std::int64_t start, std::int64_t stop, std::size_t len) {
  const std::size_t b = clamp_insert_index(start, len);
  const std::size_t e = clamp_insert_index(stop, len);
  return b < e ? Slice{b, e} : Slice{b, b};
}

}  // namespace procshare::server

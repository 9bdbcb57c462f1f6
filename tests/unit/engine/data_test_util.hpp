#pragma once
// Assertion helpers for the data types' in-process tests (dict, list, set,
// namespace, value, array), on top of harness.hpp.
#include <cstdlib>
#include <string>
#include <vector>

#include "harness.hpp"

namespace procshare::test {

// The texts of an array/map/set reply's elements; the type must be one.
inline std::vector<std::string> strs(const Reply& r) {
  std::vector<std::string> out;
  for (const Reply& e : r.elements) out.push_back(e.str);
  return out;
}

using Strs = std::vector<std::string>;

// A float: a bulk string in RESP2, a double in RESP3.
inline ::testing::AssertionResult is_float(const Reply& r, double v) {
  if (r.type == Reply::Type::dbl && r.dbl == v) return ::testing::AssertionSuccess();
  if (r.type == Reply::Type::bulk && std::strtod(r.str.c_str(), nullptr) == v) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "expected float " << v << ", got type " << static_cast<int>(r.type) << " '" << r.str
         << "' " << r.dbl;
}

inline ::testing::AssertionResult is_null(const Reply& r) {
  if (r.type == Reply::Type::null) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "expected null, got type " << static_cast<int>(r.type) << " '" << r.str << "'";
}

// The value under `key` in a map reply (RESP2 flat array or RESP3 map).
inline const Reply* field(const Reply& map, std::string_view key) {
  for (std::size_t i = 0; i + 1 < map.elements.size(); i += 2) {
    if (map.elements[i].str == key) return &map.elements[i + 1];
  }
  return nullptr;
}

}  // namespace procshare::test

#pragma once
// Protocol-neutral key/value fields: what an object reports for DESCRIBE and
// what INFO sections hold. The engine turns them into a RESP map.
#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace procshare::server {

struct Null {};
using FieldValue = std::variant<Null, bool, std::int64_t, double, std::string>;

class Fields {
 public:
  void add(std::string key, FieldValue value) {
    items_.emplace_back(std::move(key), std::move(value));
  }
  void add(std::string key, int v) { add(std::move(key), FieldValue(std::int64_t{v})); }
  void add(std::string key, std::size_t v) {
    add(std::move(key), FieldValue(static_cast<std::int64_t>(v)));
  }
  void add(std::string key, const char* v) { add(std::move(key), FieldValue(std::string(v))); }
  const std::vector<std::pair<std::string, FieldValue>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, FieldValue>> items_;
};

}  // namespace procshare::server

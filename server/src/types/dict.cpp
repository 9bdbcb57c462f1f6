#include "dict.hpp"

#include "scalar.hpp"

namespace procshare::server {

std::optional<std::string_view> DictObject::get(std::string_view key) const {
  const std::size_t pos = table_.find(key);
  if (pos == CompactTable::npos) return std::nullopt;
  return table_.value_at(pos);
}

std::optional<std::string> DictObject::pop(std::string_view key) {
  const std::size_t pos = table_.find(key);
  if (pos == CompactTable::npos) return std::nullopt;
  std::string value(table_.value_at(pos));
  table_.erase_at(pos);
  return value;
}

std::optional<std::pair<std::string, std::string>> DictObject::popitem() {
  const std::size_t pos = table_.back();
  if (pos == CompactTable::npos) return std::nullopt;
  std::pair<std::string, std::string> item(table_.key_at(pos), table_.value_at(pos));
  table_.erase_at(pos);
  return item;
}

std::string_view DictObject::setdefault(std::string_view key, std::string_view value) {
  std::size_t pos = table_.find(key);
  if (pos == CompactTable::npos) pos = table_.insert_new(key, value);
  return table_.value_at(pos);
}

std::int64_t DictObject::incrby(std::string_view key, std::int64_t n) {
  const std::size_t pos = table_.find(key);
  const std::int64_t old = pos == CompactTable::npos ? 0 : int_or_fail(table_.value_at(pos));
  const std::int64_t now = add_or_fail(old, n);
  const std::string text = format_int64(now);
  if (pos == CompactTable::npos) {
    table_.insert_new(key, text);
  } else {
    table_.set_value_at(pos, text);
  }
  return now;
}

double DictObject::incrbyfloat(std::string_view key, double x) {
  const std::size_t pos = table_.find(key);
  const double old = pos == CompactTable::npos ? 0.0 : float_or_fail(table_.value_at(pos));
  const double now = add_or_fail(old, x);
  const std::string text = format_float_value(now);
  if (pos == CompactTable::npos) {
    table_.insert_new(key, text);
  } else {
    table_.set_value_at(pos, text);
  }
  return now;
}

}  // namespace procshare::server

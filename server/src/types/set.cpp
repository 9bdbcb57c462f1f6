#include "set.hpp"

namespace procshare::server {

std::optional<std::string> SetObject::pop() {
  const std::size_t pos = table_.back();
  if (pos == CompactTable::npos) return std::nullopt;
  std::string member(table_.key_at(pos));
  table_.erase_at(pos);
  return member;
}

}  // namespace procshare::server

#include "namespace.hpp"

namespace procshare::server {

std::optional<std::string_view> NamespaceObject::get(std::string_view attr) const {
  const std::size_t pos = table_.find(attr);
  if (pos == CompactTable::npos) return std::nullopt;
  return table_.value_at(pos);
}

}  // namespace procshare::server

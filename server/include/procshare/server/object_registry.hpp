#pragma once
// Named objects: the server's one keyspace.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "procshare/server/object.hpp"

namespace procshare::server {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class ObjectRegistry {
 public:
  using Map = std::unordered_map<std::string, std::shared_ptr<Object>, StringHash, std::equal_to<>>;

  std::shared_ptr<Object> find(std::string_view name) const;
  Object* find_raw(std::string_view name) const;
  // Inserts `obj` under `name` (which must be free).
  void insert(std::string_view name, std::shared_ptr<Object> obj);
  // Removes the object; its waiters get -NOTFOUND. False when absent.
  bool erase(std::string_view name);
  // Removes the object without ending its waits, to insert it under another
  // name (Redis RENAME): its waiters follow it. nullptr when absent.
  std::shared_ptr<Object> take(std::string_view name);
  // A fresh name for an anonymous object ("anon:<n>").
  std::string anonymous_name();
  std::size_t size() const { return map_.size(); }
  const Map& all() const { return map_; }
  void clear();

 private:
  Map map_;
  std::uint64_t next_anonymous_ = 1;
};

// Redis KEYS glob: * ? [abc] [^a] [a-z] and \ escapes.
bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace procshare::server

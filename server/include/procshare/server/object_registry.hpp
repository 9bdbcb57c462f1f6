#pragma once
// Named objects: the server's one keyspace.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
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
  // The highest n handed out as "anon:<n>"; after a restart, names continue
  // above a persisted mark, so a stored reference to an anonymous object
  // that was not restored never names a newcomer (Persistence).
  std::uint64_t anonymous_issued() const { return next_anonymous_ - 1; }
  void continue_anonymous_after(std::uint64_t n) {
    next_anonymous_ = std::max(next_anonymous_, n + 1);
  }
  std::size_t size() const { return map_.size(); }
  const Map& all() const { return map_; }
  // What take_all() removed: the objects and their SCAN index, to be
  // destroyed when the caller sees fit.
  struct Removed {
    Map objects;
    std::set<std::pair<std::uint64_t, const Object*>> index;
    bool empty() const { return objects.empty() && index.empty(); }
  };
  void clear() { take_all(); }
  // Removes every object at once (their waiters get -NOTFOUND).
  Removed take_all();

  // Objects of each type, kept as objects come and go (INFO objects).
  const std::map<std::string_view, std::size_t>& counts_by_type() const { return by_type_; }

  // SCAN's order: a 63-bit hash of the name, stable for the life of the
  // process. scan() visits the objects whose hash is >= `cursor` in that
  // order, `count` of them plus any that share the last one's hash (so the
  // next cursor skips none), and returns the next cursor: 0 when done.
  // O(log n + count), whatever the keyspace size.
  static std::uint64_t scan_hash(std::string_view name);
  std::uint64_t scan(std::uint64_t cursor, std::size_t count,
                     const std::function<void(const Object&)>& visit) const;

 private:
  void indexed(const std::string& name, const Object& obj);
  void unindexed(const std::string& name, const Object& obj);
  Map map_;
  // The objects in SCAN order; a name's hash collides with another's only by
  // chance, so the object's address breaks ties.
  std::set<std::pair<std::uint64_t, const Object*>> scan_order_;
  std::map<std::string_view, std::size_t> by_type_;
  std::uint64_t next_anonymous_ = 1;
};

// Redis KEYS glob: * ? [abc] [^a] [a-z] and \ escapes.
bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);

}  // namespace procshare::server

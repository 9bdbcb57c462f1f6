#pragma once
// An insertion-ordered hash table of byte-string keys and values: the store of
// dict, namespace and set. It follows CPython's compact dict, because it keeps
// Python's iteration order and LIFO popitem() and because it is lean:
//  * entries_ holds one pointer per entry, in insertion order. Each points to
//    one heap record "[varint klen][varint vlen][key][value]", so a small
//    entry costs 8 bytes here plus one small block from small_blocks.hpp
//    (its size rounded up to 8, not malloc's 32-byte minimum): no std::string
//    headers, no hash node. A set stores empty values (one byte).
//  * slots_ is an open-addressing index of 32-bit positions into entries_,
//    probed with CPython's perturbation so that clusters stay short, and at
//    most 2/3 full.
//  * Erasing leaves a hole in entries_ (order is kept) and a DUMMY slot; the
//    next rebuild sweeps both. Erasing the newest entry trims it at once, so
//    back() + erase_at() is O(1).
// Positions (from find(), back()) stay valid until the next change.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace procshare::server {

class CompactTable {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  CompactTable() = default;
  CompactTable(const CompactTable&) = delete;
  CompactTable& operator=(const CompactTable&) = delete;

  std::size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // The position of `key`, or npos.
  std::size_t find(std::string_view key) const;
  bool contains(std::string_view key) const { return find(key) != npos; }
  std::string_view key_at(std::size_t pos) const { return entries_[pos].key(); }
  std::string_view value_at(std::size_t pos) const { return entries_[pos].value(); }
  // Replaces the value of a live entry; the entry keeps its place in the order.
  void set_value_at(std::size_t pos, std::string_view value);

  // Inserts (at the end of the order) or replaces; true when `key` is new.
  // Throws std::bad_alloc, or CommandError(LIMIT) past 2^32-2 entries; the
  // table is unchanged then.
  bool set(std::string_view key, std::string_view value);
  // Inserts a key known to be absent; returns its position.
  std::size_t insert_new(std::string_view key, std::string_view value);

  void erase_at(std::size_t pos);
  bool erase(std::string_view key);
  // The newest entry's position, or npos when empty.
  std::size_t back() const { return entries_.empty() ? npos : entries_.size() - 1; }
  // Frees everything.
  void clear();

  // Calls f(key, value) for each entry in insertion order.
  template <class F>
  void for_each(F&& f) const {
    for (const Record& r : entries_) {
      if (r) f(r.key(), r.value());
    }
  }

 private:
  // One heap block holding a key and its value; null for a hole.
  class Record {
   public:
    Record() = default;
    Record(std::string_view key, std::string_view value);
    Record(Record&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
    Record& operator=(Record&& o) noexcept;
    ~Record();
    explicit operator bool() const { return p_ != nullptr; }
    std::string_view key() const;
    std::string_view value() const;
    // Overwrites the value when `value` has the same length; false otherwise.
    bool assign_same_size(std::string_view value);

   private:
    char* p_ = nullptr;
  };

  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr std::uint32_t kDummy = 0xFFFFFFFEu;
  static std::size_t usable(std::size_t slots) { return slots * 2 / 3; }
  static std::size_t hash(std::string_view key);

  std::size_t find_hashed(std::string_view key, std::size_t h) const;
  std::size_t insert_hashed(std::string_view key, std::string_view value, std::size_t h);
  // Compacts entries_ and rebuilds slots_ with room for at least `needed`
  // entries plus half as many more, so rebuilds stay amortised O(1).
  void rebuild(std::size_t needed);
  // Puts `pos` in the first free slot on key's probe path.
  void place(std::uint32_t pos, std::size_t h, bool reuse_dummy);

  std::vector<Record> entries_;
  std::unique_ptr<std::uint32_t[]> slots_;
  std::size_t mask_ = 0;  // slot count - 1 (slots_ non-null)
  std::size_t live_ = 0;  // entries that are not holes
  std::size_t fill_ = 0;  // slots that are not empty (live + dummy)
};

}  // namespace procshare::server

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
//
// scan() walks the order in steps for DICT.SCAN and its kin. A rebuild moves
// each entry left by at most the number of holes it sweeps, so the cursor
// carries removed_total_ (holes swept so far) next to the position: on
// resume the position steps back by the holes swept since, and no entry
// present for the whole scan is skipped (one may be seen twice).
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

  // One step of a scan from `cursor` (0 starts): calls f(key, value) for up
  // to `count` entries in insertion order, visiting at most 10 * count
  // positions (holes included), and returns the next cursor, 0 at the end.
  // `cursor` must be below 2^63 (valid_scan_cursor); `count` at least 1.
  template <class F>
  std::uint64_t scan(std::uint64_t cursor, std::size_t count, F&& f) const {
    std::size_t pos = scan_resume(cursor);
    std::size_t visits = count * 10;
    for (std::size_t found = 0; pos < entries_.size() && found < count && visits > 0; --visits) {
      const Record& r = entries_[pos++];
      if (r) {
        f(r.key(), r.value());
        ++found;
      }
    }
    return pos < entries_.size() ? scan_cursor(pos) : 0;
  }
  // Cursors carry 31 bits of removed_total_ above a 32-bit position, so
  // that they fit a signed 64-bit integer.
  static bool valid_scan_cursor(std::uint64_t cursor) { return cursor >> 63 == 0; }

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
  // Where a scan resumes: the cursor's position, less the holes swept since.
  std::size_t scan_resume(std::uint64_t cursor) const;
  // The cursor of a scan that goes on at `pos` (>= 1, so never 0).
  std::uint64_t scan_cursor(std::size_t pos) const;
  // Puts `pos` in the first free slot on key's probe path.
  void place(std::uint32_t pos, std::size_t h, bool reuse_dummy);

  std::vector<Record> entries_;
  std::unique_ptr<std::uint32_t[]> slots_;
  std::size_t mask_ = 0;  // slot count - 1 (slots_ non-null)
  std::size_t live_ = 0;  // entries that are not holes
  std::size_t fill_ = 0;  // slots that are not empty (live + dummy)
  // Positions dropped from before entries' places: holes swept by
  // rebuilds, and everything clear() drops. Only grows (mod 2^64).
  std::uint64_t removed_total_ = 0;
};

}  // namespace procshare::server

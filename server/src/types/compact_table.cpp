#include "compact_table.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>

#include "procshare/server/errors.hpp"
#include "small_blocks.hpp"

namespace procshare::server {

namespace {

// LEB128: 7 bits a byte, low bits first; lengths below 128 take one byte.
std::size_t varint_size(std::size_t n) {
  std::size_t k = 1;
  while (n >= 0x80) {
    n >>= 7;
    ++k;
  }
  return k;
}

char* put_varint(char* p, std::size_t n) {
  while (n >= 0x80) {
    *p++ = static_cast<char>((n & 0x7F) | 0x80);
    n >>= 7;
  }
  *p++ = static_cast<char>(n);
  return p;
}

const char* get_varint(const char* p, std::size_t& n) {
  n = 0;
  unsigned shift = 0;
  for (;;) {
    auto b = static_cast<unsigned char>(*p++);
    n |= static_cast<std::size_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) return p;
    shift += 7;
  }
}

// The positions of key and value inside a record.
struct Layout {
  const char* key;
  std::size_t klen;
  const char* value;
  std::size_t vlen;
};

Layout layout(const char* p) {
  Layout l{};
  p = get_varint(p, l.klen);
  p = get_varint(p, l.vlen);
  l.key = p;
  l.value = p + l.klen;
  return l;
}

std::size_t record_size(const Layout& l) {
  return varint_size(l.klen) + varint_size(l.vlen) + l.klen + l.vlen;
}

// Gives a record's block back to the pool it came from (which needs its size).
void release(char* p) {
  if (p) small_blocks::deallocate(p, record_size(layout(p)));
}

}  // namespace

// ---- Record ----

CompactTable::Record::Record(std::string_view key, std::string_view value) {
  const std::size_t n =
      varint_size(key.size()) + varint_size(value.size()) + key.size() + value.size();
  p_ = static_cast<char*>(small_blocks::allocate(n));
  char* q = put_varint(p_, key.size());
  q = put_varint(q, value.size());
  if (!key.empty()) std::memcpy(q, key.data(), key.size());
  if (!value.empty()) std::memcpy(q + key.size(), value.data(), value.size());
}

CompactTable::Record& CompactTable::Record::operator=(Record&& o) noexcept {
  if (this != &o) {
    release(p_);
    p_ = o.p_;
    o.p_ = nullptr;
  }
  return *this;
}

CompactTable::Record::~Record() {
  release(p_);
}

std::string_view CompactTable::Record::key() const {
  Layout l = layout(p_);
  return {l.key, l.klen};
}

std::string_view CompactTable::Record::value() const {
  Layout l = layout(p_);
  return {l.value, l.vlen};
}

bool CompactTable::Record::assign_same_size(std::string_view value) {
  Layout l = layout(p_);
  if (l.vlen != value.size()) return false;
  if (!value.empty()) std::memcpy(const_cast<char*>(l.value), value.data(), value.size());
  return true;
}

// ---- CompactTable ----

std::size_t CompactTable::hash(std::string_view key) {
  return std::hash<std::string_view>{}(key);
}

std::size_t CompactTable::find(std::string_view key) const {
  return find_hashed(key, hash(key));
}

std::size_t CompactTable::find_hashed(std::string_view key, std::size_t h) const {
  if (!slots_) return npos;
  std::size_t i = h & mask_;
  std::size_t perturb = h;
  // Ends: the index is never full (at most 2/3), and this probe sequence
  // visits every slot.
  for (;;) {
    const std::uint32_t s = slots_[i];
    if (s == kEmpty) return npos;
    if (s != kDummy && entries_[s].key() == key) return s;
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & mask_;
  }
}

void CompactTable::place(std::uint32_t pos, std::size_t h, bool reuse_dummy) {
  std::size_t i = h & mask_;
  std::size_t perturb = h;
  for (;;) {
    const std::uint32_t s = slots_[i];
    if (s == kEmpty || (reuse_dummy && s == kDummy)) {
      if (s == kEmpty) ++fill_;
      slots_[i] = pos;
      return;
    }
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & mask_;
  }
}

void CompactTable::rebuild(std::size_t needed) {
  std::size_t n = 8;
  while (usable(n) < needed + needed / 2) n *= 2;
  // Allocate first: if this throws, nothing has changed.
  auto slots = std::make_unique<std::uint32_t[]>(n);
  std::fill_n(slots.get(), n, kEmpty);
  const std::size_t before = entries_.size();
  entries_.erase(
      std::remove_if(entries_.begin(), entries_.end(), [](const Record& r) { return !r; }),
      entries_.end());
  removed_total_ += before - entries_.size();
  // After mass deletion, give the pointer array back too.
  if (entries_.capacity() > 4 * entries_.size() + 16) entries_.shrink_to_fit();
  slots_ = std::move(slots);
  mask_ = n - 1;
  fill_ = 0;
  for (std::size_t pos = 0; pos < entries_.size(); ++pos) {
    place(static_cast<std::uint32_t>(pos), hash(entries_[pos].key()), false);
  }
}

void CompactTable::set_value_at(std::size_t pos, std::string_view value) {
  Record& r = entries_[pos];
  if (r.assign_same_size(value)) return;
  Record fresh(r.key(), value);  // copies the key before the old record goes
  r = std::move(fresh);
}

bool CompactTable::set(std::string_view key, std::string_view value) {
  const std::size_t h = hash(key);
  const std::size_t pos = find_hashed(key, h);
  if (pos != npos) {
    set_value_at(pos, value);
    return false;
  }
  insert_hashed(key, value, h);
  return true;
}

std::size_t CompactTable::insert_new(std::string_view key, std::string_view value) {
  return insert_hashed(key, value, hash(key));
}

std::size_t CompactTable::insert_hashed(std::string_view key, std::string_view value,
                                        std::size_t h) {
  // Positions must stay below the two reserved slot markers.
  if (live_ >= kDummy - 1) fail(ErrorCode::limit, "too many entries in one object");
  if (!slots_ || fill_ + 1 > usable(mask_ + 1) || entries_.size() >= kDummy - 1) {
    rebuild(live_ + 1);
  }
  Record r(key, value);
  // Grow the pointer array by half, not double: it is a sixth of a small
  // entry's cost, and doubling would leave up to half of it unused.
  if (entries_.size() == entries_.capacity()) {
    entries_.reserve(std::max<std::size_t>(8, entries_.capacity() + entries_.capacity() / 2));
  }
  entries_.push_back(std::move(r));  // strong guarantee: Record moves are noexcept
  const std::size_t pos = entries_.size() - 1;
  place(static_cast<std::uint32_t>(pos), h, true);
  ++live_;
  return pos;
}

void CompactTable::erase_at(std::size_t pos) {
  const std::size_t h = hash(entries_[pos].key());
  std::size_t i = h & mask_;
  std::size_t perturb = h;
  while (slots_[i] != pos) {
    perturb >>= 5;
    i = (i * 5 + perturb + 1) & mask_;
  }
  slots_[i] = kDummy;
  entries_[pos] = Record();
  --live_;
  if (live_ == 0) {
    clear();
    return;
  }
  // Keep the newest entry at entries_.back(), so LIFO pops stay O(1).
  while (!entries_.back()) entries_.pop_back();
  // Many holes: sweep them, so deleting from the front does not leak. The
  // erase itself has happened; without memory for a new index the sweep just
  // waits for the next one.
  if (entries_.size() - live_ > live_ + 8) {
    try {
      rebuild(live_);
    } catch (const std::bad_alloc&) {
    }
  }
}

bool CompactTable::erase(std::string_view key) {
  const std::size_t pos = find(key);
  if (pos == npos) return false;
  erase_at(pos);
  return true;
}

void CompactTable::clear() {
  removed_total_ += entries_.size();
  std::vector<Record>().swap(entries_);
  slots_.reset();
  mask_ = 0;
  live_ = 0;
  fill_ = 0;
}

namespace {
constexpr std::uint64_t kEpochMask = 0x7FFFFFFFu;  // 31 bits of removed_total_
constexpr std::uint64_t kPositionMask = 0xFFFFFFFFu;
}  // namespace

std::size_t CompactTable::scan_resume(std::uint64_t cursor) const {
  const std::uint64_t then = (cursor >> 32) & kEpochMask;
  const std::uint64_t pos = cursor & kPositionMask;
  // Holes swept since the cursor was issued; wrong only if 2^31 or more
  // were swept between two steps of one scan.
  const std::uint64_t shift = (removed_total_ - then) & kEpochMask;
  return static_cast<std::size_t>(pos > shift ? pos - shift : 0);
}

std::uint64_t CompactTable::scan_cursor(std::size_t pos) const {
  return (removed_total_ & kEpochMask) << 32 | static_cast<std::uint64_t>(pos);
}

}  // namespace procshare::server

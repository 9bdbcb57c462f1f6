#pragma once
// The `array` type: Python's Manager.Array, a fixed-length sequence of one
// element type (int, float or bytes) chosen at creation. Every element stored
// is checked against that type (VALUEERROR); indexes follow Python's rules
// (negative from the end, IndexError out of range). No RESP here:
// array_commands.cpp is the glue.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "indexing.hpp"
#include "procshare/server/object.hpp"
#include "scalar.hpp"

namespace procshare::server {

class ArrayObject : public Object {
 public:
  // An array's storage is capped at 512 MiB, the size of the largest bulk
  // string, so that one small CREATE cannot ask for any amount of memory.
  static constexpr std::size_t kMaxBytes = std::size_t{512} * 1024 * 1024;
  static std::size_t max_len(ElemType type);

  // `len` default elements (0, 0.0, empty); LIMIT past max_len().
  ArrayObject(ElemType type, std::size_t len);
  // The elements `init`, each read as `type` (VALUEERROR).
  ArrayObject(ElemType type, std::span<const std::string_view> init);

  std::size_t size() const override;
  // "TYPE int LEN 3": the array's kind is its element type and length, so
  // INIT 1 2 3 and LEN 3 match under CREATE ... EXISTOK.
  std::string options_key() const override;
  void describe(Fields& out) const override;

  ElemType elem_type() const { return type_; }
  // The position of item i, or INDEXERROR "array index out of range".
  std::size_t position(std::int64_t i) const;
  Slice slice(std::int64_t start, std::int64_t stop) const {
    return resolve_slice(start, stop, size());
  }
  // Element at a valid position; only the accessor of elem_type() applies.
  std::int64_t int_at(std::size_t pos) const { return ints_[pos]; }
  double float_at(std::size_t pos) const { return floats_[pos]; }
  std::string_view bytes_at(std::size_t pos) const { return bytes_[pos]; }

  // a[i] = text read as the element type.
  void set(std::int64_t i, std::string_view text);
  // a[i] += n, n read as the element type (an int for int arrays, a float for
  // float arrays); a bytes element must read as an int, and so must n.
  // Overflow and non-finite results are VALUEERROR. Returns the new element.
  Number incrby(std::int64_t i, std::string_view n);

 private:
  void check_len(std::size_t len) const;
  ElemType type_;
  // Exactly one of these is used, by type_.
  std::vector<std::int64_t> ints_;
  std::vector<double> floats_;
  std::vector<std::string> bytes_;
};

}  // namespace procshare::server

#pragma once
// The `value` type: one shared scalar, Python's Manager.Value. Its element
// type (bytes, int or float) is fixed at creation and every value stored is
// checked against it (VALUEERROR), so an int value always holds an int64.
// No RESP here: value_commands.cpp is the glue.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "procshare/server/object.hpp"
#include "scalar.hpp"

namespace procshare::server {

class ValueObject : public Object {
 public:
  // The default contents (0, 0.0, empty), or `init` read as `type` (VALUEERROR).
  explicit ValueObject(ElemType type, std::optional<std::string_view> init = std::nullopt);

  std::size_t size() const override { return 1; }
  // "TYPE int": INIT is the starting content, not part of the object's kind,
  // so CREATE ... EXISTOK with another INIT still matches.
  std::string options_key() const override;
  void describe(Fields& out) const override;

  ElemType elem_type() const { return type_; }
  // The current value; only the accessor of elem_type() is meaningful.
  std::string_view bytes() const { return bytes_; }
  std::int64_t int_value() const { return int_; }
  double float_value() const { return float_; }

  // Stores `text` read as the element type (VALUEERROR when it is not one).
  void set(std::string_view text);
  // Appends to a bytes value in place (Redis APPEND); an int or float value
  // refuses it (VALUEERROR): its text plus more need not be a number.
  void append(std::string_view more);
  // value += n. An int value stays an int (overflow is VALUEERROR), a float
  // value a float; a bytes value must read as an int and keeps its text.
  Number incrby(std::int64_t n);
  // value += x for float and bytes values (the result must be finite); an
  // int value refuses it (VALUEERROR), as a C int Value refuses a float.
  double incrbyfloat(double x);
  // If the value equals `expected` (compared as numbers for int and float;
  // both arguments must read as the element type), stores `desired` and
  // returns true.
  bool compare_and_set(std::string_view expected, std::string_view desired);

 private:
  ElemType type_;
  std::int64_t int_ = 0;
  double float_ = 0;
  std::string bytes_;
};

}  // namespace procshare::server

#include "value.hpp"

#include "procshare/server/errors.hpp"

namespace procshare::server {

ValueObject::ValueObject(ElemType type, std::optional<std::string_view> init) : type_(type) {
  if (init) set(*init);
}

std::string ValueObject::options_key() const {
  return "TYPE " + std::string(elem_type_name(type_));
}

void ValueObject::describe(Fields& out) const {
  out.add("elemtype", std::string(elem_type_name(type_)));
}

void ValueObject::set(std::string_view text) {
  switch (type_) {
    case ElemType::int64:
      int_ = int_or_fail(text);
      break;
    case ElemType::float64:
      float_ = float_or_fail(text);
      break;
    case ElemType::bytes:
      bytes_.assign(text);
      break;
  }
}

void ValueObject::append(std::string_view more) {
  if (type_ != ElemType::bytes)
    fail(ErrorCode::valueerror, "only a bytes value can be appended to");
  bytes_.append(more);
}

Number ValueObject::incrby(std::int64_t n) {
  switch (type_) {
    case ElemType::int64:
      return int_ = add_or_fail(int_, n);
    case ElemType::float64:
      return float_ = add_or_fail(float_, static_cast<double>(n));
    case ElemType::bytes:
      break;
  }
  const std::int64_t now = add_or_fail(int_or_fail(bytes_), n);
  bytes_ = format_int64(now);
  return now;
}

double ValueObject::incrbyfloat(double x) {
  switch (type_) {
    case ElemType::int64:
      fail(ErrorCode::valueerror, "an int value cannot take a float increment");
    case ElemType::float64:
      return float_ = add_or_fail(float_, x);
    case ElemType::bytes:
      break;
  }
  const double now = add_or_fail(float_or_fail(bytes_), x);
  bytes_ = format_float_value(now);
  return now;
}

bool ValueObject::compare_and_set(std::string_view expected, std::string_view desired) {
  switch (type_) {
    case ElemType::int64: {
      const std::int64_t e = int_or_fail(expected);
      const std::int64_t d = int_or_fail(desired);
      if (int_ != e) return false;
      int_ = d;
      return true;
    }
    case ElemType::float64: {
      const double e = float_or_fail(expected);
      const double d = float_or_fail(desired);
      if (float_ != e) return false;
      float_ = d;
      return true;
    }
    case ElemType::bytes:
      break;
  }
  if (bytes_ != expected) return false;
  bytes_.assign(desired);
  return true;
}

}  // namespace procshare::server

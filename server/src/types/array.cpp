#include "array.hpp"

#include <fmt/format.h>

#include "procshare/server/errors.hpp"

namespace procshare::server {

std::size_t ArrayObject::max_len(ElemType type) {
  switch (type) {
    case ElemType::int64:
      return kMaxBytes / sizeof(std::int64_t);
    case ElemType::float64:
      return kMaxBytes / sizeof(double);
    case ElemType::bytes:
      break;
  }
  return kMaxBytes / sizeof(std::string);
}

void ArrayObject::check_len(std::size_t len) const {
  if (len > max_len(type_)) {
    fail(ErrorCode::limit, fmt::format("array length exceeds the limit of {} {} elements",
                                       max_len(type_), elem_type_name(type_)));
  }
}

ArrayObject::ArrayObject(ElemType type, std::size_t len) : type_(type) {
  check_len(len);
  switch (type_) {
    case ElemType::int64:
      ints_.resize(len);
      break;
    case ElemType::float64:
      floats_.resize(len);
      break;
    case ElemType::bytes:
      bytes_.resize(len);
      break;
  }
}

ArrayObject::ArrayObject(ElemType type, std::span<const std::string_view> init) : type_(type) {
  check_len(init.size());
  switch (type_) {
    case ElemType::int64:
      ints_.reserve(init.size());
      for (auto v : init) ints_.push_back(int_or_fail(v));
      break;
    case ElemType::float64:
      floats_.reserve(init.size());
      for (auto v : init) floats_.push_back(float_or_fail(v));
      break;
    case ElemType::bytes:
      bytes_.assign(init.begin(), init.end());
      break;
  }
}

std::size_t ArrayObject::size() const {
  switch (type_) {
    case ElemType::int64:
      return ints_.size();
    case ElemType::float64:
      return floats_.size();
    case ElemType::bytes:
      break;
  }
  return bytes_.size();
}

std::string ArrayObject::options_key() const {
  return fmt::format("TYPE {} LEN {}", elem_type_name(type_), size());
}

void ArrayObject::describe(Fields& out) const {
  out.add("elemtype", std::string(elem_type_name(type_)));
  out.add("len", size());
}

std::size_t ArrayObject::position(std::int64_t i) const {
  auto pos = resolve_index(i, size());
  if (!pos) fail(ErrorCode::indexerror, "array index out of range");
  return *pos;
}

void ArrayObject::set(std::int64_t i, std::string_view text) {
  const std::size_t pos = position(i);
  switch (type_) {
    case ElemType::int64:
      ints_[pos] = int_or_fail(text);
      break;
    case ElemType::float64:
      floats_[pos] = float_or_fail(text);
      break;
    case ElemType::bytes:
      bytes_[pos].assign(text);
      break;
  }
}

Number ArrayObject::incrby(std::int64_t i, std::string_view n) {
  const std::size_t pos = position(i);
  switch (type_) {
    case ElemType::int64:
      return ints_[pos] = add_or_fail(ints_[pos], int_or_fail(n));
    case ElemType::float64:
      return floats_[pos] = add_or_fail(floats_[pos], float_or_fail(n));
    case ElemType::bytes:
      break;
  }
  const std::int64_t now = add_or_fail(int_or_fail(bytes_[pos]), int_or_fail(n));
  bytes_[pos] = format_int64(now);
  return now;
}

}  // namespace procshare::server

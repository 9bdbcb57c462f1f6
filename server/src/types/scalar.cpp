#include "scalar.hpp"

#include <charconv>
#include <cmath>

#include "procshare/server/errors.hpp"

namespace procshare::server {

namespace {

// Drops one leading '+' unless a sign follows it ("+-1" is not a number).
bool strip_plus(const char*& b, const char* e) {
  if (b != e && *b == '+') {
    ++b;
    if (b == e || *b == '-' || *b == '+') return false;
  }
  return true;
}

bool equals_nocase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view elem_type_name(ElemType t) {
  switch (t) {
    case ElemType::bytes:
      return "bytes";
    case ElemType::int64:
      return "int";
    case ElemType::float64:
      return "float";
  }
  return "bytes";
}

std::optional<ElemType> parse_elem_type(std::string_view word) {
  for (ElemType t : {ElemType::bytes, ElemType::int64, ElemType::float64}) {
    if (equals_nocase(word, elem_type_name(t))) return t;
  }
  return std::nullopt;
}

std::optional<std::int64_t> to_int64(std::string_view s) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (!strip_plus(b, e)) return std::nullopt;
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (b == e || ec != std::errc() || p != e) return std::nullopt;
  return v;
}

std::optional<double> to_double(std::string_view s) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (!strip_plus(b, e)) return std::nullopt;
  double v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (b == e || ec != std::errc() || p != e || std::isnan(v)) return std::nullopt;
  return v;
}

std::int64_t int_or_fail(std::string_view s) {
  auto v = to_int64(s);
  if (!v) fail(ErrorCode::valueerror, "value is not an integer or out of range");
  return *v;
}

double float_or_fail(std::string_view s) {
  auto v = to_double(s);
  if (!v) fail(ErrorCode::valueerror, "value is not a valid float");
  if (!std::isfinite(*v)) fail(ErrorCode::valueerror, "value is not a finite float (inf, nan)");
  return *v;
}

std::int64_t add_or_fail(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    fail(ErrorCode::valueerror, "increment or decrement would overflow");
  }
  return r;
}

double add_or_fail(double a, double b) {
  double r = a + b;
  if (!std::isfinite(r)) fail(ErrorCode::valueerror, "increment would produce NaN or Infinity");
  return r;
}

std::string format_int64(std::int64_t v) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

std::string format_double(double v) {
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

std::string format_float_value(double v) {
  std::string s = format_double(v);
  // An integral double prints as "3"; keep it a float for typed readers.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

}  // namespace procshare::server

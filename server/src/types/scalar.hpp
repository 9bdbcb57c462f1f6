#pragma once
// Scalars of the data types: the element types of `value` and `array`
// (PROTOCOL.md §5) and the numeric reading of byte strings that every numeric
// command shares (DICT.INCRBY, VALUE.INCRBY, ARRAY.INCRBY, LIST.SORT NUMERIC):
// signed 64-bit decimal integers and doubles, with checked arithmetic.
// Overflow is an error (VALUEERROR), never wrap-around, and a float result
// that is inf or nan is refused, as Redis's INCRBYFLOAT does.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace procshare::server {

enum class ElemType : std::uint8_t { bytes, int64, float64 };

// A number in the element type it came from (int or float).
using Number = std::variant<std::int64_t, double>;

// "bytes", "int", "float": the words of CREATE's TYPE option and DESCRIBE's elemtype.
std::string_view elem_type_name(ElemType t);
// The inverse, case-insensitive; nullopt for any other word.
std::optional<ElemType> parse_elem_type(std::string_view word);

// Reads the whole of `s` as a decimal int64 (an optional leading '+', as
// Python's int() and the engine's parse_int accept). nullopt when it is not
// one or is out of range.
std::optional<std::int64_t> to_int64(std::string_view s);
// Reads the whole of `s` as a double ("1.5", "-2e3", "inf"); nullopt for nan,
// for text that is not a number and for a value out of double's range.
std::optional<double> to_double(std::string_view s);

// The same, throwing CommandError(VALUEERROR) instead of returning nullopt.
std::int64_t int_or_fail(std::string_view s);
// A float that may be stored: finite only. No float value, array element or
// dict number ever holds inf or nan (as INCRBYFLOAT never produces them).
double float_or_fail(std::string_view s);

// a + b; VALUEERROR on 64-bit overflow.
std::int64_t add_or_fail(std::int64_t a, std::int64_t b);
// a + b; VALUEERROR when the sum is inf or nan.
double add_or_fail(double a, double b);

// Canonical texts: what a bytes value or a dict holds after a numeric command.
std::string format_int64(std::int64_t v);
// The shortest text that reads back as the same double ("3", "0.1", "1e+20").
std::string format_double(double v);
// As format_double, but always with a '.' or an exponent ("1.0", not "1"), so
// that a float stays a float for the typed readers of docs/values.md.
std::string format_float_value(double v);

}  // namespace procshare::server

#pragma once
// Codecs: how a C++ value becomes the bytes of a command argument and how a
// reply becomes a C++ value again. Every proxy (Dict<K,V>, Queue<T>, ...)
// goes through codec<T>, so the element types a proxy accepts are exactly
// the types with a codec.
//
// Built in: integers (decimal text, as the server's numeric commands read
// them), bool ("1"/"0"), float/double (shortest text that reads back the
// same value), std::string, and byte vectors (std::vector<std::byte>,
// std::vector<std::uint8_t>, stored as raw bytes).
//
// Customization point for your own types: either specialize the struct
//
//   template <> struct procshare::codec<Point> {
//     static std::string encode(const Point& p);
//     static Point decode(std::string_view bytes);
//   };
//
// or, simpler, declare two functions next to your type (found by ADL):
//
//   std::string procshare_encode(const Point& p);
//   Point procshare_decode(std::string_view bytes, procshare::tag<Point>);
//
// decode may throw procshare::ValueError for bytes it cannot read.
#include <charconv>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include "procshare/errors.hpp"
#include "procshare/protocol/reply.hpp"

namespace procshare {

// Selects the type to decode in procshare_decode overloads.
template <class T>
struct tag {};

template <class T>
concept adl_codable = requires(const T& v, std::string_view bytes) {
  { procshare_encode(v) } -> std::convertible_to<std::string>;
  { procshare_decode(bytes, tag<T>{}) } -> std::convertible_to<T>;
};

// Primary template: the ADL functions of a user type.
template <class T>
struct codec {
  static std::string encode(const T& v) requires adl_codable<T> { return procshare_encode(v); }
  // `auto`: the declaration must stay valid for every T (an array type
  // cannot be returned), since the class is instantiated to test codable<T>.
  static auto decode(std::string_view bytes) requires adl_codable<T> {
    return T(procshare_decode(bytes, tag<T>{}));
  }
};

namespace detail {

template <class T>
concept number_int = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                     !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> &&
                     !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;

[[noreturn]] void throw_not_a_number(std::string_view bytes, std::string_view what);

}  // namespace detail

template <detail::number_int T>
struct codec<T> {
  static std::string encode(T v) { return std::to_string(v); }
  static T decode(std::string_view bytes) {
    T v{};
    auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), v);
    if (ec != std::errc() || end != bytes.data() + bytes.size() || bytes.empty()) {
      detail::throw_not_a_number(bytes, "an integer of the requested type");
    }
    return v;
  }
};

template <>
struct codec<bool> {
  static std::string encode(bool v) { return v ? "1" : "0"; }
  static bool decode(std::string_view bytes) {
    if (bytes == "1" || bytes == "t" || bytes == "true") return true;
    if (bytes == "0" || bytes == "f" || bytes == "false") return false;
    detail::throw_not_a_number(bytes, "a boolean");
  }
};

template <std::floating_point T>
struct codec<T> {
  // Shortest text that reads back the same value, always with a '.' or an
  // exponent (2.0 -> "2.0", not "2"), so that every reader of
  // docs/values.md sees a float, not an integer.
  static std::string encode(T v) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf - 2, v);
    std::string_view s(buf, static_cast<std::size_t>(end - buf));
    if (s.find_first_of(".eEn") == std::string_view::npos) {  // n: inf, nan
      *end++ = '.';
      *end++ = '0';
    }
    return std::string(buf, end);
  }
  static T decode(std::string_view bytes) {
    T v{};
    auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), v);
    if (ec != std::errc() || end != bytes.data() + bytes.size() || bytes.empty()) {
      detail::throw_not_a_number(bytes, "a floating-point number");
    }
    return v;
  }
};

template <>
struct codec<std::string> {
  static std::string encode(const std::string& v) { return v; }
  static std::string decode(std::string_view bytes) { return std::string(bytes); }
};

template <class B>
requires(std::same_as<B, std::byte> || std::same_as<B, std::uint8_t>) struct codec<std::vector<B>> {
  static std::string encode(const std::vector<B>& v) {
    return std::string(reinterpret_cast<const char*>(v.data()), v.size());
  }
  static std::vector<B> decode(std::string_view bytes) {
    const B* p = reinterpret_cast<const B*>(bytes.data());
    return std::vector<B>(p, p + bytes.size());
  }
};

// True when T has a codec (built in, specialized, or through ADL).
template <class T>
concept codable = requires(const T& v, std::string_view bytes) {
  { codec<T>::encode(v) } -> std::convertible_to<std::string>;
  { codec<T>::decode(bytes) } -> std::convertible_to<T>;
};

// Encodes a value for a command argument.
template <codable T>
std::string encode(const T& v) {
  return codec<T>::encode(v);
}

namespace detail {
// The bytes of a value reply: a bulk string, or the text of an integer or
// double reply. Throws ProtocolError for other shapes (null, arrays).
std::string reply_text(const protocol::Reply& r);
}  // namespace detail

// Decodes a value reply. Numbers the server sends as integers or RESP3
// doubles are converted directly; everything else goes through the codec.
template <codable T>
T decode(const protocol::Reply& r) {
  if (r.is_error()) throw_error(r);
  if constexpr (detail::number_int<T> || std::same_as<T, bool>) {
    if (r.type == protocol::Reply::Type::integer || r.type == protocol::Reply::Type::boolean) {
      if constexpr (std::same_as<T, bool>) {
        return r.integer != 0;
      } else {
        if (!std::in_range<T>(r.integer)) {
          detail::throw_not_a_number(std::to_string(r.integer), "in range of the requested type");
        }
        return static_cast<T>(r.integer);
      }
    }
  } else if constexpr (std::floating_point<T>) {
    if (r.type == protocol::Reply::Type::dbl) return static_cast<T>(r.dbl);
    if (r.type == protocol::Reply::Type::integer) return static_cast<T>(r.integer);
  }
  return codec<T>::decode(detail::reply_text(r));
}

}  // namespace procshare

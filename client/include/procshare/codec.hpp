#pragma once
// Codecs: how a C++ value becomes the bytes of a command argument and how a
// reply becomes a C++ value again. Every proxy (Dict<K,V>, Queue<T>, ...)
// goes through codec<T>, so the element types a proxy accepts are exactly
// the types with a codec.
//
// The standard types' codecs are the value encoding of docs/values.md
// (values.hpp): integers, floats and strings plain, containers, optional,
// variant, chrono, structs with PROCSHARE_FIELDS and shared objects as
// tagged JSON.
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
#include <concepts>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "procshare/errors.hpp"
#include "procshare/protocol/reply.hpp"
#include "procshare/values.hpp"

namespace procshare {

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

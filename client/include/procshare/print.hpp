#pragma once
// Printing values as Python prints them: repr() for elements inside
// containers ({'a': [1, 2.5], 'b': None}), str() at the top (a string bare).
//
//   std::cout << d;                 // {'alice': 3, 'bob': 5}   (one snapshot)
//   std::cout << d["alice"];        // 3
//   fmt::print("{}\n", l);          // [1, 2, 3]
//
// procshare::repr(v) and procshare::str(v) return the text of any value the
// encoding knows (values.hpp), and of every proxy (its contents, read now).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <ostream>
#include <string>

#include "procshare/values.hpp"

namespace procshare {

namespace print {
// Python's repr of a str (quotes chosen as Python does) and of a bytes.
void string_repr(std::string& out, std::string_view s);
void bytes_repr(std::string& out, std::string_view b);
// repr(datetime.timedelta(...)) and repr(datetime.datetime(..., tzinfo=utc)).
void duration_repr(std::string& out, std::int64_t ns);
void time_repr(std::string& out, std::int64_t ns_since_epoch);
// Any stored value, read by docs/values.md's rules (Namespace attributes,
// whose type the program does not state). References print as <dict 'name'>.
void json_repr(std::string& out, const values::json& j);
}  // namespace print

// A type that prints itself: a proxy (its contents) or an element reference.
template <class T>
concept self_printing = requires(const T& v, std::string& out) {
  v.procshare_repr(out);
};

template <class T>
void repr_to(std::string& out, const T& v);

namespace print {
template <class T>
struct is_tuple_like : std::false_type {};
template <class... T>
struct is_tuple_like<std::tuple<T...>> : std::true_type {};
template <class A, class B>
struct is_tuple_like<std::pair<A, B>> : std::true_type {};
template <class T>
struct is_variant : std::false_type {};
template <class... T>
struct is_variant<std::variant<T...>> : std::true_type {};
template <class T>
struct is_duration : std::false_type {};
template <class R, class P>
struct is_duration<std::chrono::duration<R, P>> : std::true_type {};
template <class T>
struct is_sys_time : std::false_type {};
template <class D>
struct is_sys_time<std::chrono::time_point<std::chrono::system_clock, D>> : std::true_type {};
template <class T>
struct is_set : std::false_type {};
template <class T, class C, class A>
struct is_set<std::set<T, C, A>> : std::true_type {};
template <class T, class H, class E, class A>
struct is_set<std::unordered_set<T, H, E, A>> : std::true_type {};
template <class T>
concept map_like = requires(const T& m) {
  typename T::key_type;
  typename T::mapped_type;
  m.begin()->first;
};

template <class R>
void seq_repr(std::string& out, const R& r, char open, char close) {
  out += open;
  bool first = true;
  for (const auto& e : r) {
    if (!first) out += ", ";
    first = false;
    repr_to(out, e);
  }
  out += close;
}
}  // namespace print

template <class T>
void repr_to(std::string& out, const T& v) {
  if constexpr (self_printing<T>) {
    v.procshare_repr(out);
  } else if constexpr (std::same_as<T, bool>) {
    out += v ? "True" : "False";
  } else if constexpr (detail::number_int<T>) {
    out += std::to_string(v);
  } else if constexpr (std::floating_point<T>) {
    out += codec<T>::encode(v);
  } else if constexpr (std::same_as<T, std::string> || std::same_as<T, Text>) {
    print::string_repr(out, std::string_view(static_cast<const std::string&>(v)));
  } else if constexpr (detail::is_byte_vector<T>::value) {
    print::bytes_repr(out, std::string_view(reinterpret_cast<const char*>(v.data()), v.size()));
  } else if constexpr (std::same_as<T, std::monostate> || std::same_as<T, std::nullopt_t>) {
    out += "None";
  } else if constexpr (detail::is_specialization_of_optional<T>::value) {
    if (v) {
      repr_to(out, *v);
    } else {
      out += "None";
    }
  } else if constexpr (print::is_variant<T>::value) {
    std::visit([&](const auto& a) { repr_to(out, a); }, v);
  } else if constexpr (print::is_tuple_like<T>::value) {
    out += '(';
    std::size_t i = 0;
    std::apply([&](const auto&... e) { ((out += (i++ ? ", " : ""), repr_to(out, e)), ...); }, v);
    if (std::tuple_size_v<T> == 1) out += ',';
    out += ')';
  } else if constexpr (print::is_duration<T>::value) {
    print::duration_repr(out, std::chrono::duration_cast<std::chrono::nanoseconds>(v).count());
  } else if constexpr (print::is_sys_time<T>::value) {
    print::time_repr(
        out, std::chrono::duration_cast<std::chrono::nanoseconds>(v.time_since_epoch()).count());
  } else if constexpr (has_fields<T>) {
    out += '{';
    bool first = true;
    procshare_visit_fields(v, [&](const char* name, const auto& f) {
      if (!first) out += ", ";
      first = false;
      print::string_repr(out, name);
      out += ": ";
      repr_to(out, f);
    });
    out += '}';
  } else if constexpr (print::map_like<T>) {
    out += '{';
    bool first = true;
    for (const auto& [k, x] : v) {
      if (!first) out += ", ";
      first = false;
      repr_to(out, k);
      out += ": ";
      repr_to(out, x);
    }
    out += '}';
  } else if constexpr (print::is_set<T>::value) {
    if (v.empty()) {
      out += "set()";
    } else {
      print::seq_repr(out, v, '{', '}');
    }
  } else if constexpr (std::ranges::range<T>) {
    print::seq_repr(out, v, '[', ']');
  } else {
    static_assert(sizeof(T) == 0, "procshare cannot print this type");
  }
}

// Python's repr(v).
template <class T>
std::string repr(const T& v) {
  std::string out;
  repr_to(out, v);
  return out;
}

// Python's str(v): a string as it is, anything else as repr.
template <class T>
std::string str(const T& v) {
  if constexpr (std::same_as<T, std::string> || std::same_as<T, Text>) {
    return static_cast<const std::string&>(v);
  } else if constexpr (requires { v.procshare_str(); }) {
    return v.procshare_str();
  } else {
    return repr(v);
  }
}

// A proxy or an element reference streams as Python's print() shows it.
template <self_printing T>
std::ostream& operator<<(std::ostream& os, const T& v) {
  return os << str(v);
}

}  // namespace procshare

// fmt::format("{}", d): the same text as operator<<. Proxies are not fmt
// ranges (they print as Python does, not as fmt/ranges.h would).
template <procshare::self_printing T>
struct fmt::is_range<T, char> : std::false_type {};
template <procshare::self_printing T>
struct fmt::formatter<T> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const T& v, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(procshare::str(v), ctx);
  }
};

#pragma once
// The value encoding of docs/values.md, shared with the Python client: how a
// C++ value becomes the bytes the server stores, and back.
//
// * Integers, floats, strings and byte strings are stored plain (decimal
//   text, Python's float repr, the string's bytes, the raw bytes), so
//   DICT.INCRBY, netcat and redis-cli see them as they are.
// * Everything else is tagged JSON, "\x00j" + a JSON document: bool,
//   std::optional (null), std::vector/deque/list/array (arrays),
//   std::map/unordered_map (objects, or {"$map": ...} for non-string keys),
//   std::set/unordered_set ({"$set": ...}), std::pair/tuple ({"$tuple": ...}),
//   std::variant (its alternative), std::chrono durations ({"$duration_ns"})
//   and system_clock time points ({"$time_ns"}), procshare::Bytes inside
//   containers ({"$bytes": base64}), structs that list their fields with
//   PROCSHARE_FIELDS (objects), and shared objects stored as references
//   ({"$ref": ["dict", "name"]}, object.hpp).
//
//   struct Job { std::string name; std::vector<int> steps; };
//   PROCSHARE_FIELDS(Job, name, steps)   // next to Job, at namespace scope
//
// The JSON side of each type is json_codec<T> (to_json, from_json); the
// stored-bytes side is codec<T> (encode, decode), which a program may
// specialize for its own types (codec.hpp). The JSON library is
// nlohmann-json (Debian's nlohmann-json3-dev).
#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "procshare/errors.hpp"

namespace procshare {

// A byte string (Python's bytes).
using Bytes = std::vector<std::byte>;

// A std::string that every reader takes as a string: stored with the "\x00s"
// escape when its bytes would read as a number ("42"). A plain std::string
// is stored as its bytes (docs/values.md, "C++ strings").
struct Text {
  std::string value;
  Text() = default;
  Text(std::string v) : value(std::move(v)) {}           // NOLINT: implicit, as a string
  Text(const char* v) : value(v) {}                      // NOLINT
  operator const std::string&() const { return value; }  // NOLINT
  friend bool operator==(const Text&, const Text&) = default;
  friend auto operator<=>(const Text&, const Text&) = default;
};

// Selects the type to decode in procshare_decode overloads (codec.hpp).
template <class T>
struct tag {};

// How a value becomes the bytes of a command argument and back; every proxy
// goes through codec<T>. The primary template is a program's own codec
// found by ADL (codec.hpp); values.hpp specializes it for the standard types.
template <class T>
struct codec;

// The JSON form of a value inside a tagged "\x00j" document.
template <class T>
struct json_codec;

namespace values {

using json = nlohmann::ordered_json;

// --- Helpers (values.cpp) -----------------------------------------------------
// Python's repr() of a double: "1.0", "0.1", "1e+100", "1e-05", "inf", "nan".
std::string format_double(double v);
std::string format_float(float v);
bool valid_utf8(std::string_view s);
// The forms of docs/values.md's decoding table.
bool is_int_text(std::string_view s);
bool is_float_text(std::string_view s);
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);  // ValueError on bad input
// Compact JSON as Python's json.dumps(separators=(",", ":"), ensure_ascii=False).
std::string dump(const json& doc);
// "\x00j" + dump(doc).
std::string tagged(const json& doc);
// Any stored bytes as the JSON of the value they hold (a plain integer as a
// number, text as a string, raw bytes as {"$bytes": ...}). ValueError for a
// pickle, an unknown format letter, or bad JSON.
json stored_to_json(std::string_view bytes);
[[noreturn]] void fail(std::string_view what, const json& got);
[[noreturn]] void fail_bytes(std::string_view bytes, std::string_view what);
// The one-key "$..." object's key, or empty.
std::string_view special_key(const json& j);
// The elements of an array, or of a {"$tuple"|"$set"|"$frozenset": [...]}.
const json& elements(const json& j, std::string_view what);

template <class T>
constexpr bool is_char_like =
    std::same_as<T, char> || std::same_as<T, wchar_t> || std::same_as<T, char8_t> ||
    std::same_as<T, char16_t> || std::same_as<T, char32_t> || std::same_as<T, signed char> ||
    std::same_as<T, unsigned char>;

}  // namespace values

namespace detail {

template <class T>
concept number_int = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char> &&
                     !std::same_as<T, wchar_t> && !std::same_as<T, char8_t> &&
                     !std::same_as<T, char16_t> && !std::same_as<T, char32_t>;

[[noreturn]] void throw_not_a_number(std::string_view bytes, std::string_view what);

template <class T>
struct is_specialization_of_optional : std::false_type {};
template <class T>
struct is_specialization_of_optional<std::optional<T>> : std::true_type {};

template <class B>
concept byte_like = std::same_as<B, std::byte> || std::same_as<B, std::uint8_t>;
template <class T>
struct is_byte_vector : std::false_type {};
template <byte_like B, class A>
struct is_byte_vector<std::vector<B, A>> : std::true_type {};

}  // namespace detail

template <class T>
concept json_codable = requires(const T& v, const values::json& j) {
  { json_codec<T>::to_json(v) } -> std::convertible_to<values::json>;
  { json_codec<T>::from_json(j) } -> std::convertible_to<T>;
};

// --- JSON forms ---------------------------------------------------------------

template <detail::number_int T>
struct json_codec<T> {
  static values::json to_json(T v) { return v; }
  static T from_json(const values::json& j) {
    if (j.is_number_unsigned()) {
      auto u = j.get<std::uint64_t>();
      if (std::in_range<T>(u)) return static_cast<T>(u);
    } else if (j.is_number_integer()) {
      auto i = j.get<std::int64_t>();
      if (std::in_range<T>(i)) return static_cast<T>(i);
    } else {
      values::fail("an integer", j);
    }
    values::fail("an integer in range of the requested type", j);
  }
  static bool exact(const values::json& j) { return j.is_number_integer(); }
};

template <>
struct json_codec<bool> {
  static values::json to_json(bool v) { return v; }
  static bool from_json(const values::json& j) {
    if (!j.is_boolean()) values::fail("a boolean", j);
    return j.get<bool>();
  }
  static bool exact(const values::json& j) { return j.is_boolean(); }
};

template <std::floating_point T>
struct json_codec<T> {
  static values::json to_json(T v) {
    if (v != v) return {{"$float", "nan"}};
    if (v == std::numeric_limits<T>::infinity()) return {{"$float", "inf"}};
    if (v == -std::numeric_limits<T>::infinity()) return {{"$float", "-inf"}};
    return static_cast<double>(v);
  }
  static T from_json(const values::json& j) {
    if (j.is_number()) return static_cast<T>(j.get<double>());
    if (values::special_key(j) == "$float") {
      const auto& s = j.begin().value();
      if (s == "nan") return std::numeric_limits<T>::quiet_NaN();
      if (s == "inf") return std::numeric_limits<T>::infinity();
      if (s == "-inf") return -std::numeric_limits<T>::infinity();
    }
    values::fail("a float", j);
  }
  static bool exact(const values::json& j) {
    return j.is_number_float() || values::special_key(j) == "$float";
  }
};

template <>
struct json_codec<std::string> {
  static values::json to_json(const std::string& v) { return v; }
  static std::string from_json(const values::json& j) {
    if (!j.is_string()) values::fail("a string", j);
    return j.get<std::string>();
  }
  static bool exact(const values::json& j) { return j.is_string(); }
};

template <>
struct json_codec<Text> {
  static values::json to_json(const Text& v) { return v.value; }
  static Text from_json(const values::json& j) { return json_codec<std::string>::from_json(j); }
  static bool exact(const values::json& j) { return j.is_string(); }
};

template <class V>
requires detail::is_byte_vector<V>::value struct json_codec<V> {
  static values::json to_json(const V& v) {
    return {{"$bytes", values::base64_encode(
                           std::string_view(reinterpret_cast<const char*>(v.data()), v.size()))}};
  }
  static V from_json(const values::json& j) {
    if (values::special_key(j) != "$bytes" || !j.begin().value().is_string()) {
      values::fail("a byte string", j);
    }
    std::string raw = values::base64_decode(j.begin().value().get<std::string>());
    auto* p = reinterpret_cast<const typename V::value_type*>(raw.data());
    return V(p, p + raw.size());
  }
  static bool exact(const values::json& j) { return values::special_key(j) == "$bytes"; }
};

namespace detail {
template <class Seq>
values::json seq_to_json(const Seq& s) {
  values::json a = values::json::array();
  for (const auto& e : s) a.push_back(json_codec<std::ranges::range_value_t<Seq>>::to_json(e));
  return a;
}
}  // namespace detail

// Sequences: JSON arrays (Python lists). Tuples and sets read as well.
template <json_codable T, class A>
requires(!detail::byte_like<T>) struct json_codec<std::vector<T, A>> {
  static values::json to_json(const std::vector<T, A>& v) { return detail::seq_to_json(v); }
  static std::vector<T, A> from_json(const values::json& j) {
    std::vector<T, A> out;
    const auto& a = values::elements(j, "a list");
    out.reserve(a.size());
    for (const auto& e : a) out.push_back(json_codec<T>::from_json(e));
    return out;
  }
  static bool exact(const values::json& j) { return j.is_array(); }
};

template <json_codable T, class A>
struct json_codec<std::deque<T, A>> {
  static values::json to_json(const std::deque<T, A>& v) { return detail::seq_to_json(v); }
  static std::deque<T, A> from_json(const values::json& j) {
    std::deque<T, A> out;
    for (const auto& e : values::elements(j, "a list")) out.push_back(json_codec<T>::from_json(e));
    return out;
  }
  static bool exact(const values::json& j) { return j.is_array(); }
};

template <json_codable T, class A>
struct json_codec<std::list<T, A>> {
  static values::json to_json(const std::list<T, A>& v) { return detail::seq_to_json(v); }
  static std::list<T, A> from_json(const values::json& j) {
    std::list<T, A> out;
    for (const auto& e : values::elements(j, "a list")) out.push_back(json_codec<T>::from_json(e));
    return out;
  }
  static bool exact(const values::json& j) { return j.is_array(); }
};

template <json_codable T, std::size_t N>
struct json_codec<std::array<T, N>> {
  static values::json to_json(const std::array<T, N>& v) { return detail::seq_to_json(v); }
  static std::array<T, N> from_json(const values::json& j) {
    const auto& a = values::elements(j, "a list");
    if (a.size() != N) values::fail("a list of " + std::to_string(N) + " elements", j);
    std::array<T, N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = json_codec<T>::from_json(a[i]);
    return out;
  }
  static bool exact(const values::json& j) { return j.is_array() && j.size() == N; }
};

namespace detail {
template <class K>
constexpr bool string_key = std::same_as<K, std::string> || std::same_as<K, Text>;

// Maps: a JSON object when every key is a string (and the object cannot be
// mistaken for a "$" form), else {"$map": [[k, v], ...]}.
template <class K, class V, class M>
values::json map_to_json(const M& m) {
  if constexpr (string_key<K>) {
    const bool one_dollar = m.size() == 1 && std::string_view(m.begin()->first).starts_with("$");
    if (!one_dollar) {
      values::json o = values::json::object();
      for (const auto& [k, v] : m) o[std::string(k)] = json_codec<V>::to_json(v);
      return o;
    }
  }
  values::json pairs = values::json::array();
  for (const auto& [k, v] : m) {
    pairs.push_back(values::json::array({json_codec<K>::to_json(k), json_codec<V>::to_json(v)}));
  }
  return {{"$map", std::move(pairs)}};
}

template <class K, class V, class M>
M map_from_json(const values::json& j) {
  M m;
  if (values::special_key(j) == "$map") {
    for (const auto& kv : j.begin().value()) {
      if (!kv.is_array() || kv.size() != 2) values::fail("a [key, value] pair", kv);
      m.emplace(json_codec<K>::from_json(kv[0]), json_codec<V>::from_json(kv[1]));
    }
    return m;
  }
  if (!j.is_object() || !values::special_key(j).empty()) values::fail("a dict", j);
  for (const auto& [k, v] : j.items()) {
    m.emplace(json_codec<K>::from_json(values::json(k)), json_codec<V>::from_json(v));
  }
  return m;
}

// Sets: {"$set": [...]}, sorted when all numbers or all strings (equal sets
// are then equal bytes, as Python writes them).
values::json sorted_set(values::json elements);

}  // namespace detail

template <json_codable K, json_codable V, class C, class A>
struct json_codec<std::map<K, V, C, A>> {
  using M = std::map<K, V, C, A>;
  static values::json to_json(const M& m) { return detail::map_to_json<K, V>(m); }
  static M from_json(const values::json& j) { return detail::map_from_json<K, V, M>(j); }
  static bool exact(const values::json& j) {
    return (j.is_object() && values::special_key(j).empty()) || values::special_key(j) == "$map";
  }
};

template <json_codable K, json_codable V, class H, class E, class A>
struct json_codec<std::unordered_map<K, V, H, E, A>> {
  using M = std::unordered_map<K, V, H, E, A>;
  static values::json to_json(const M& m) { return detail::map_to_json<K, V>(m); }
  static M from_json(const values::json& j) { return detail::map_from_json<K, V, M>(j); }
  static bool exact(const values::json& j) { return json_codec<std::map<K, V>>::exact(j); }
};

template <json_codable T, class C, class A>
struct json_codec<std::set<T, C, A>> {
  static values::json to_json(const std::set<T, C, A>& s) {
    return detail::sorted_set(detail::seq_to_json(s));
  }
  static std::set<T, C, A> from_json(const values::json& j) {
    std::set<T, C, A> out;
    for (const auto& e : values::elements(j, "a set")) out.insert(json_codec<T>::from_json(e));
    return out;
  }
  static bool exact(const values::json& j) {
    auto k = values::special_key(j);
    return k == "$set" || k == "$frozenset";
  }
};

template <json_codable T, class H, class E, class A>
struct json_codec<std::unordered_set<T, H, E, A>> {
  static values::json to_json(const std::unordered_set<T, H, E, A>& s) {
    return detail::sorted_set(detail::seq_to_json(s));
  }
  static std::unordered_set<T, H, E, A> from_json(const values::json& j) {
    std::unordered_set<T, H, E, A> out;
    for (const auto& e : values::elements(j, "a set")) out.insert(json_codec<T>::from_json(e));
    return out;
  }
  static bool exact(const values::json& j) { return json_codec<std::set<T>>::exact(j); }
};

// Tuples: {"$tuple": [...]} (Python's tuple); plain arrays read as well.
template <json_codable... T>
struct json_codec<std::tuple<T...>> {
  static values::json to_json(const std::tuple<T...>& t) {
    values::json a = values::json::array();
    std::apply([&](const auto&... e) { (a.push_back(json_codec<T>::to_json(e)), ...); }, t);
    return {{"$tuple", std::move(a)}};
  }
  static std::tuple<T...> from_json(const values::json& j) {
    const auto& a = values::elements(j, "a tuple");
    if (a.size() != sizeof...(T)) {
      values::fail("a tuple of " + std::to_string(sizeof...(T)) + " elements", j);
    }
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple<T...>(json_codec<T>::from_json(a[I])...);
    }
    (std::index_sequence_for<T...>{});
  }
  static bool exact(const values::json& j) {
    return values::special_key(j) == "$tuple" && j.begin().value().size() == sizeof...(T);
  }
};

template <json_codable A, json_codable B>
struct json_codec<std::pair<A, B>> {
  static values::json to_json(const std::pair<A, B>& p) {
    return json_codec<std::tuple<A, B>>::to_json(std::tuple<A, B>(p.first, p.second));
  }
  static std::pair<A, B> from_json(const values::json& j) {
    auto t = json_codec<std::tuple<A, B>>::from_json(j);
    return {std::move(std::get<0>(t)), std::move(std::get<1>(t))};
  }
  static bool exact(const values::json& j) { return json_codec<std::tuple<A, B>>::exact(j); }
};

template <json_codable T>
struct json_codec<std::optional<T>> {
  static values::json to_json(const std::optional<T>& v) {
    return v ? json_codec<T>::to_json(*v) : values::json(nullptr);
  }
  static std::optional<T> from_json(const values::json& j) {
    if (j.is_null()) return std::nullopt;
    return json_codec<T>::from_json(j);
  }
  static bool exact(const values::json& j) {
    if (j.is_null()) return true;
    if constexpr (requires { json_codec<T>::exact(j); }) return json_codec<T>::exact(j);
    return true;
  }
};

template <>
struct json_codec<std::monostate> {
  static values::json to_json(std::monostate) { return nullptr; }
  static std::monostate from_json(const values::json& j) {
    if (!j.is_null()) values::fail("None", j);
    return {};
  }
  static bool exact(const values::json& j) { return j.is_null(); }
};

// A variant is stored as its alternative. Reading, the first alternative
// whose JSON kind matches exactly wins (an integer for an integral type, a
// string for a string...), else the first that reads at all.
template <json_codable... T>
struct json_codec<std::variant<T...>> {
  using V = std::variant<T...>;
  static values::json to_json(const V& v) {
    return std::visit(
        [](const auto& a) { return json_codec<std::remove_cvref_t<decltype(a)>>::to_json(a); }, v);
  }
  static V from_json(const values::json& j) {
    std::optional<V> out;
    auto try_one = [&]<class A>(bool exact_only) {
      if (out) return;
      if constexpr (requires { json_codec<A>::exact(j); }) {
        if (exact_only && !json_codec<A>::exact(j)) return;
      } else if (exact_only) {
        return;
      }
      try {
        out.emplace(std::in_place_type<A>, json_codec<A>::from_json(j));
      } catch (const ValueError&) {
      }
    };
    (try_one.template operator()<T>(true), ...);
    (try_one.template operator()<T>(false), ...);
    if (!out) values::fail("one of the variant's alternatives", j);
    return std::move(*out);
  }
};

// std::chrono: {"$duration_ns": n} (Python's timedelta) and, for the system
// clock, {"$time_ns": n} since the Unix epoch (an aware UTC datetime).
template <class Rep, class Period>
struct json_codec<std::chrono::duration<Rep, Period>> {
  using D = std::chrono::duration<Rep, Period>;
  static values::json to_json(const D& d) {
    return {{"$duration_ns", std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()}};
  }
  static D from_json(const values::json& j) {
    if (values::special_key(j) != "$duration_ns") values::fail("a duration", j);
    auto ns = json_codec<std::int64_t>::from_json(j.begin().value());
    return std::chrono::duration_cast<D>(std::chrono::nanoseconds(ns));
  }
  static bool exact(const values::json& j) { return values::special_key(j) == "$duration_ns"; }
};

template <class D>
struct json_codec<std::chrono::time_point<std::chrono::system_clock, D>> {
  using TP = std::chrono::time_point<std::chrono::system_clock, D>;
  static values::json to_json(const TP& t) {
    return {{"$time_ns",
             std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count()}};
  }
  static TP from_json(const values::json& j) {
    if (values::special_key(j) != "$time_ns") values::fail("a time point", j);
    auto ns = json_codec<std::int64_t>::from_json(j.begin().value());
    return TP(std::chrono::duration_cast<D>(std::chrono::nanoseconds(ns)));
  }
  static bool exact(const values::json& j) { return values::special_key(j) == "$time_ns"; }
};

// Structs that list their fields with PROCSHARE_FIELDS: JSON objects, read
// back field by field (a missing field is a ValueError; extra keys are
// ignored, so a newer writer's extra fields do not break an older reader).
template <class T>
concept has_fields = requires(T& v, const T& cv) {
  procshare_visit_fields(v, [](const char*, auto&) {});
  procshare_visit_fields(cv, [](const char*, const auto&) {});
};

template <class T>
requires has_fields<T>
struct json_codec<T> {
  static values::json to_json(const T& v) {
    values::json o = values::json::object();
    procshare_visit_fields(v, [&](const char* name, const auto& f) {
      o[name] = json_codec<std::remove_cvref_t<decltype(f)>>::to_json(f);
    });
    return o;
  }
  static T from_json(const values::json& j) {
    if (!j.is_object() || !values::special_key(j).empty()) values::fail("a struct (a dict)", j);
    T v{};
    procshare_visit_fields(v, [&](const char* name, auto& f) {
      auto it = j.find(name);
      if (it == j.end()) values::fail(std::string("a struct with field '") + name + "'", j);
      f = json_codec<std::remove_cvref_t<decltype(f)>>::from_json(*it);
    });
    return v;
  }
  static bool exact(const values::json& j) {
    return j.is_object() && values::special_key(j).empty();
  }
};

// --- Stored bytes (codec<T>) --------------------------------------------------

template <detail::number_int T>
struct codec<T> {
  static std::string encode(T v) { return std::to_string(v); }
  static T decode(std::string_view bytes) {
    if (!bytes.empty() && bytes[0] == '\0') {
      return json_codec<T>::from_json(values::stored_to_json(bytes));
    }
    T v{};
    auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), v);
    if (ec != std::errc() || end != bytes.data() + bytes.size() || bytes.empty()) {
      detail::throw_not_a_number(bytes, "an integer of the requested type");
    }
    return v;
  }
};

// bool is tagged JSON (true/false) as Python's; "1"/"0" (what Value<bool>
// stores on an int-typed value) read as well.
template <>
struct codec<bool> {
  static std::string encode(bool v) {
    return v ? std::string("\0jtrue", 6) : std::string("\0jfalse", 7);
  }
  static bool decode(std::string_view bytes) {
    if (bytes == "1" || bytes == "true") return true;
    if (bytes == "0" || bytes == "false") return false;
    if (!bytes.empty() && bytes[0] == '\0') {
      return json_codec<bool>::from_json(values::stored_to_json(bytes));
    }
    detail::throw_not_a_number(bytes, "a boolean");
  }
};

// Floats: Python's repr ("2.0", "0.1", "1e+100", "inf"), always with a '.'
// or an exponent, so that every reader sees a float, not an integer.
template <std::floating_point T>
struct codec<T> {
  static std::string encode(T v) {
    if constexpr (std::same_as<T, float>) {
      return values::format_float(v);
    } else {
      return values::format_double(static_cast<double>(v));
    }
  }
  static T decode(std::string_view bytes) {
    if (!bytes.empty() && bytes[0] == '\0') {
      return json_codec<T>::from_json(values::stored_to_json(bytes));
    }
    T v{};
    auto [end, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), v);
    if (ec != std::errc() || end != bytes.data() + bytes.size() || bytes.empty()) {
      detail::throw_not_a_number(bytes, "a floating-point number");
    }
    return v;
  }
};

// std::string: its bytes as they are (docs/values.md, "C++ strings"); reads
// the "\x00s" escape and a JSON string.
template <>
struct codec<std::string> {
  static std::string encode(const std::string& v) { return v; }
  static std::string decode(std::string_view bytes) {
    if (bytes.size() >= 2 && bytes[0] == '\0') {
      if (bytes[1] == 's') return std::string(bytes.substr(2));
      return json_codec<std::string>::from_json(values::stored_to_json(bytes));
    }
    return std::string(bytes);
  }
};

template <>
struct codec<Text> {
  static std::string encode(const Text& v);  // values.cpp
  static Text decode(std::string_view bytes) { return codec<std::string>::decode(bytes); }
};

// Byte strings: raw when they cannot be mistaken for text, else "\x00b" + raw.
template <class V>
requires detail::is_byte_vector<V>::value struct codec<V> {
  static std::string encode(const V& v) {
    std::string_view raw(reinterpret_cast<const char*>(v.data()), v.size());
    if (!raw.empty() && raw[0] != '\0' && !values::valid_utf8(raw)) return std::string(raw);
    return std::string("\0b", 2) + std::string(raw);
  }
  static V decode(std::string_view bytes) {
    if (bytes.size() >= 2 && bytes[0] == '\0') {
      if (bytes[1] == 'b' || bytes[1] == 's')
        bytes.remove_prefix(2);
      else
        return json_codec<V>::from_json(values::stored_to_json(bytes));
    }
    auto* p = reinterpret_cast<const typename V::value_type*>(bytes.data());
    return V(p, p + bytes.size());
  }
};

// std::optional: nullopt is None ("\x00jnull"); a value is stored as T is.
template <class T>
requires requires(const T& v, std::string_view b) {
  { codec<T>::encode(v) } -> std::convertible_to<std::string>;
  { codec<T>::decode(b) } -> std::convertible_to<T>;
}
struct codec<std::optional<T>> {
  static std::string encode(const std::optional<T>& v) {
    return v ? codec<T>::encode(*v) : std::string("\0jnull", 6);
  }
  static std::optional<T> decode(std::string_view bytes) {
    if (bytes == std::string_view("\0jnull", 6)) return std::nullopt;
    return codec<T>::decode(bytes);
  }
};

namespace detail {
template <class T>
concept plain_value = number_int<T> || std::same_as<T, bool> || std::floating_point<T> ||
    std::same_as<T, std::string> || std::same_as<T, Text> || is_byte_vector<T>::value ||
    is_specialization_of_optional<T>::value;
}  // namespace detail

// Everything else with a JSON form: tagged JSON.
template <class T>
requires(json_codable<T> && !detail::plain_value<T>) struct codec<T> {
  static std::string encode(const T& v) { return values::tagged(json_codec<T>::to_json(v)); }
  static T decode(std::string_view bytes) {
    return json_codec<T>::from_json(values::stored_to_json(bytes));
  }
};

}  // namespace procshare

// Opts a struct into the value encoding: PROCSHARE_FIELDS(Type, field, ...)
// at namespace scope next to Type (up to 63 fields). Stored as a JSON object
// of the fields, which Python reads as a dict.
#define PROCSHARE_DETAIL_FIELD(field) procshare_f(#field, procshare_v.field);
#define PROCSHARE_FIELDS(Type, ...)                                                \
  template <class ProcshareF>                                                      \
  [[maybe_unused]] inline void procshare_visit_fields(Type& procshare_v,           \
                                                      ProcshareF&& procshare_f) {  \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(PROCSHARE_DETAIL_FIELD, __VA_ARGS__)) \
  }                                                                                \
  template <class ProcshareF>                                                      \
  [[maybe_unused]] inline void procshare_visit_fields(const Type& procshare_v,     \
                                                      ProcshareF&& procshare_f) {  \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(PROCSHARE_DETAIL_FIELD, __VA_ARGS__)) \
  }

// The non-template half of values.hpp: number text as Python writes it,
// UTF-8 and base64, compact JSON, and reading any stored bytes as JSON.
#include "procshare/values.hpp"

#include <cmath>

namespace procshare {

namespace values {

namespace {

// Python's float repr from the shortest round-trip digits: positional when
// the decimal point falls within -4 < decpt <= 16, else an exponent of at
// least two digits.
std::string python_repr(const char* sci, std::size_t n) {
  std::string_view s(sci, n);
  std::string out;
  if (s.starts_with('-')) {
    out += '-';
    s.remove_prefix(1);
  }
  const std::size_t e_at = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e_at)) {
    if (c != '.') digits += c;
  }
  int exp = 0;
  std::string_view es = s.substr(e_at + 1);
  if (es.starts_with('+')) es.remove_prefix(1);
  std::from_chars(es.data(), es.data() + es.size(), exp);
  const int decpt = exp + 1;
  const int nd = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<std::size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= nd) {
      out += digits;
      out.append(static_cast<std::size_t>(decpt - nd), '0');
      out += ".0";
    } else {
      out += digits.substr(0, static_cast<std::size_t>(decpt));
      out += '.';
      out += digits.substr(static_cast<std::size_t>(decpt));
    }
    return out;
  }
  out += digits[0];
  if (nd > 1) {
    out += '.';
    out += digits.substr(1);
  }
  out += exp < 0 ? "e-" : "e+";
  const int a = exp < 0 ? -exp : exp;
  if (a < 10) out += '0';
  out += std::to_string(a);
  return out;
}

template <class T>
std::string format_floating(T v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return python_repr(buf, static_cast<std::size_t>(end - buf));
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void dump_string(std::string_view s, std::string& out) {
  if (!valid_utf8(s)) {
    fail_bytes(s, "text (a JSON string must be UTF-8; use procshare::Bytes for bytes)");
  }
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 15];
          out += hex[c & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void dump_to(const json& j, std::string& out) {
  switch (j.type()) {
    case json::value_t::null:
      out += "null";
      break;
    case json::value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      break;
    case json::value_t::number_integer:
      out += std::to_string(j.get<std::int64_t>());
      break;
    case json::value_t::number_unsigned:
      out += std::to_string(j.get<std::uint64_t>());
      break;
    case json::value_t::number_float: {
      const double d = j.get<double>();
      if (!std::isfinite(d)) throw ValueError("a non-finite float inside JSON");
      out += format_double(d);
      break;
    }
    case json::value_t::string:
      dump_string(j.get_ref<const std::string&>(), out);
      break;
    case json::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : j) {
        if (!first) out += ',';
        first = false;
        dump_to(e, out);
      }
      out += ']';
      break;
    }
    case json::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, v] : j.items()) {
        if (!first) out += ',';
        first = false;
        dump_string(k, out);
        out += ':';
        dump_to(v, out);
      }
      out += '}';
      break;
    }
    default:
      throw ValueError("a JSON value of no known kind");
  }
}

}  // namespace

std::string format_double(double v) {
  return format_floating(v);
}

std::string format_float(float v) {
  return format_floating(v);
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

bool is_int_text(std::string_view s) {
  if (s == "0") return true;
  if (s.starts_with('-')) s.remove_prefix(1);
  if (s.empty() || s[0] < '1' || s[0] > '9') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_float_text(std::string_view s) {
  if (s == "inf" || s == "-inf" || s == "nan") return true;
  if (s.starts_with('-')) s.remove_prefix(1);
  auto digits = [&]() {
    std::size_t k = 0;
    while (k < s.size() && s[k] >= '0' && s[k] <= '9') ++k;
    s.remove_prefix(k);
    return k > 0;
  };
  if (!digits()) return false;
  bool dot = false;
  if (s.starts_with('.')) {
    s.remove_prefix(1);
    if (!digits()) return false;
    dot = true;
  }
  if (s.starts_with('e') || s.starts_with('E')) {
    s.remove_prefix(1);
    if (s.starts_with('+') || s.starts_with('-')) s.remove_prefix(1);
    if (!digits()) return false;
    return s.empty();
  }
  return dot && s.empty();
}

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                            (static_cast<unsigned char>(in[i + 1]) << 8) |
                            static_cast<unsigned char>(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (i < in.size()) {
    std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (in.size() % 4 != 0) throw ValueError("bad base64 in $bytes");
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (std::size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + static_cast<std::size_t>(k)];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        v[k] = 0;
        ++pad;
      } else if (pad > 0 || (v[k] = value(c)) < 0) {
        throw ValueError("bad base64 in $bytes");
      }
    }
    const std::uint32_t w =
        (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
        (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out += static_cast<char>((w >> 16) & 0xFF);
    if (pad < 2) out += static_cast<char>((w >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(w & 0xFF);
  }
  return out;
}

std::string dump(const json& doc) {
  std::string out;
  dump_to(doc, out);
  return out;
}

std::string tagged(const json& doc) {
  std::string out("\0j", 2);
  dump_to(doc, out);
  return out;
}

json stored_to_json(std::string_view b) {
  if (b.empty()) return json("");
  if (b[0] == '\0') {
    const char letter = b.size() > 1 ? b[1] : '\0';
    std::string_view rest = b.substr(b.size() > 1 ? 2 : 1);
    switch (letter) {
      case 'j':
        try {
          return json::parse(rest);
        } catch (const json::exception& e) {
          throw ValueError(std::string("bad typed JSON: ") + e.what());
        }
      case 's':
        return json(std::string(rest));
      case 'b':
        return json{{"$bytes", base64_encode(rest)}};
      case 'p':
        throw ValueError("the value is a Python pickle, which only the Python client reads");
      default:
        throw ValueError(std::string("unknown value format letter '") + letter + "'");
    }
  }
  if (is_int_text(b)) {
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(b.data(), b.data() + b.size(), i);
    if (ec == std::errc() && end == b.data() + b.size()) return json(i);
    std::uint64_t u = 0;
    auto [end2, ec2] = std::from_chars(b.data(), b.data() + b.size(), u);
    if (ec2 == std::errc() && end2 == b.data() + b.size()) return json(u);
    fail_bytes(b, "an integer that fits 64 bits");
  }
  if (is_float_text(b)) {
    if (b == "inf" || b == "-inf" || b == "nan") return json{{"$float", std::string(b)}};
    double d = 0;
    std::from_chars(b.data(), b.data() + b.size(), d);
    return json(d);
  }
  if (valid_utf8(b)) return json(std::string(b));
  return json{{"$bytes", base64_encode(b)}};
}

void fail(std::string_view what, const json& got) {
  std::string shown;
  try {
    shown = got.dump(-1, ' ', false, json::error_handler_t::replace);
  } catch (...) {
    shown = "?";
  }
  constexpr std::size_t kShown = 64;
  if (shown.size() > kShown) shown = shown.substr(0, kShown) + "...";
  throw ValueError("cannot read " + shown + " as " + std::string(what));
}

void fail_bytes(std::string_view bytes, std::string_view what) {
  detail::throw_not_a_number(bytes, what);
}

std::string_view special_key(const json& j) {
  if (!j.is_object() || j.size() != 1) return {};
  const std::string& k = j.begin().key();
  if (!k.starts_with('$')) return {};
  return k;
}

const json& elements(const json& j, std::string_view what) {
  if (j.is_array()) return j;
  auto k = special_key(j);
  if ((k == "$tuple" || k == "$set" || k == "$frozenset") && j.begin().value().is_array()) {
    return j.begin().value();
  }
  fail(what, j);
}

}  // namespace values

namespace detail {

values::json sorted_set(values::json a) {
  const bool numbers = std::all_of(a.begin(), a.end(), [](const auto& e) { return e.is_number(); });
  const bool strings = std::all_of(a.begin(), a.end(), [](const auto& e) { return e.is_string(); });
  if (numbers) {
    std::stable_sort(a.begin(), a.end(), [](const auto& x, const auto& y) {
      if (x.is_number_float() || y.is_number_float())
        return x.template get<double>() < y.template get<double>();
      if (x.is_number_unsigned() && y.is_number_unsigned()) {
        return x.template get<std::uint64_t>() < y.template get<std::uint64_t>();
      }
      if (x.is_number_unsigned()) return false;  // x > INT64_MAX >= y or y is negative
      if (y.is_number_unsigned()) return true;
      return x.template get<std::int64_t>() < y.template get<std::int64_t>();
    });
  } else if (strings) {
    std::stable_sort(a.begin(), a.end(), [](const auto& x, const auto& y) {
      return x.template get_ref<const std::string&>() < y.template get_ref<const std::string&>();
    });
  }
  return values::json{{"$set", std::move(a)}};
}

}  // namespace detail

std::string codec<Text>::encode(const Text& v) {
  const std::string& b = v.value;
  if (!b.empty() && (b[0] == '\0' || values::is_int_text(b) || values::is_float_text(b))) {
    return std::string("\0s", 2) + b;
  }
  return b;
}

}  // namespace procshare

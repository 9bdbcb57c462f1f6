// Python's repr of the values of docs/values.md (print.hpp).
#include "procshare/print.hpp"

#include <cinttypes>
#include <cstdio>

#include "procshare/namespace.hpp"

namespace procshare {

namespace print {

namespace {

void hex_escape(std::string& out, unsigned char c) {
  static const char* hex = "0123456789abcdef";
  out += "\\x";
  out += hex[c >> 4];
  out += hex[c & 15];
}

}  // namespace

void string_repr(std::string& out, std::string_view s) {
  // Python picks '...' unless the text holds ' and no ".
  const char q =
      s.find('\'') != std::string_view::npos && s.find('"') == std::string_view::npos ? '"' : '\'';
  out += q;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == q || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      hex_escape(out, c);
    } else {
      out += ch;  // printable ASCII, and UTF-8 as it is
    }
  }
  out += q;
}

void bytes_repr(std::string& out, std::string_view b) {
  const char q =
      b.find('\'') != std::string_view::npos && b.find('"') == std::string_view::npos ? '"' : '\'';
  out += 'b';
  out += q;
  for (char ch : b) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == q || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      hex_escape(out, c);
    } else {
      out += ch;
    }
  }
  out += q;
}

void duration_repr(std::string& out, std::int64_t ns) {
  // timedelta keeps microseconds, normalised to days, 0 <= seconds < 86400,
  // 0 <= microseconds < 10**6, and repr shows the non-zero ones.
  std::int64_t us = ns / 1000;
  if (ns % 1000 != 0 && ns < 0) --us;  // floor, as Python's // does
  std::int64_t days = us / 86'400'000'000LL;
  std::int64_t rest = us % 86'400'000'000LL;
  if (rest < 0) {
    rest += 86'400'000'000LL;
    --days;
  }
  const std::int64_t seconds = rest / 1'000'000, micros = rest % 1'000'000;
  out += "datetime.timedelta(";
  bool any = false;
  auto part = [&](const char* name, std::int64_t v) {
    if (v == 0) return;
    if (any) out += ", ";
    any = true;
    out += name;
    out += '=';
    out += std::to_string(v);
  };
  part("days", days);
  part("seconds", seconds);
  part("microseconds", micros);
  if (!any) out += '0';
  out += ')';
}

void time_repr(std::string& out, std::int64_t ns) {
  using namespace std::chrono;
  const sys_time<microseconds> t{floor<microseconds>(nanoseconds(ns))};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<microseconds> hms{t - day};
  char buf[128];
  std::snprintf(buf, sizeof buf, "datetime.datetime(%d, %u, %u, %" PRId64 ", %" PRId64,
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<std::int64_t>(hms.hours().count()),
                static_cast<std::int64_t>(hms.minutes().count()));
  out += buf;
  const auto s = hms.seconds().count();
  const auto us = hms.subseconds().count();
  if (s != 0 || us != 0) out += ", " + std::to_string(s);
  if (us != 0) out += ", " + std::to_string(us);
  out += ", tzinfo=datetime.timezone.utc)";
}

void json_repr(std::string& out, const values::json& j) {
  using json = values::json;
  auto list = [&](const json& a, char open, char close) {
    out += open;
    bool first = true;
    for (const auto& e : a) {
      if (!first) out += ", ";
      first = false;
      json_repr(out, e);
    }
    out += close;
  };
  switch (j.type()) {
    case json::value_t::null:
      out += "None";
      return;
    case json::value_t::boolean:
      out += j.get<bool>() ? "True" : "False";
      return;
    case json::value_t::number_integer:
      out += std::to_string(j.get<std::int64_t>());
      return;
    case json::value_t::number_unsigned:
      out += std::to_string(j.get<std::uint64_t>());
      return;
    case json::value_t::number_float:
      out += values::format_double(j.get<double>());
      return;
    case json::value_t::string:
      string_repr(out, j.get_ref<const std::string&>());
      return;
    case json::value_t::array:
      list(j, '[', ']');
      return;
    default:
      break;
  }
  const std::string_view k = values::special_key(j);
  const json* x = k.empty() ? nullptr : &j.begin().value();
  if (k == "$tuple" && x->is_array()) {
    list(*x, '(', ')');
    if (x->size() == 1) out.insert(out.size() - 1, ",");
  } else if ((k == "$set" || k == "$frozenset") && x->is_array()) {
    if (k == "$frozenset") out += "frozenset(";
    if (x->empty()) {
      out += k == "$set" ? "set()" : "";
    } else {
      list(*x, '{', '}');
    }
    if (k == "$frozenset") out += ')';
  } else if (k == "$map" && x->is_array()) {
    out += '{';
    bool first = true;
    for (const auto& kv : *x) {
      if (!first) out += ", ";
      first = false;
      json_repr(out, kv.at(0));
      out += ": ";
      json_repr(out, kv.at(1));
    }
    out += '}';
  } else if (k == "$bytes" && x->is_string()) {
    bytes_repr(out, values::base64_decode(x->get<std::string>()));
  } else if (k == "$float" && x->is_string()) {
    out += x->get<std::string>();
  } else if (k == "$duration_ns" && x->is_number_integer()) {
    duration_repr(out, x->get<std::int64_t>());
  } else if (k == "$time_ns" && x->is_number_integer()) {
    time_repr(out, x->get<std::int64_t>());
  } else if (k == "$ref" && x->is_array() && x->size() == 2) {
    out += '<' + x->at(0).get<std::string>() + " '" + x->at(1).get<std::string>() + "'>";
  } else {
    out += '{';
    bool first = true;
    for (const auto& [key, v] : j.items()) {
      if (!first) out += ", ";
      first = false;
      string_repr(out, key);
      out += ": ";
      json_repr(out, v);
    }
    out += '}';
  }
}

}  // namespace print

void Stored::procshare_repr(std::string& out) const {
  print::json_repr(out, values::stored_to_json(bytes_));
}

std::string Stored::procshare_str() const {
  values::json j = values::stored_to_json(bytes_);
  if (j.is_string()) return j.get<std::string>();
  std::string out;
  print::json_repr(out, j);
  return out;
}

}  // namespace procshare

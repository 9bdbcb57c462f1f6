#include "procshare/server/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "procshare/server/errors.hpp"

namespace procshare::server::text {

namespace {

// Skips one leading '+', which Python's int() and float() accept; "+-5" and
// "++5" stay invalid. False when the text cannot be a number at all.
bool strip_plus(const char*& b, const char* e) {
  if (b != e && *b == '+') {
    ++b;
    if (b != e && (*b == '+' || *b == '-')) return false;
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> to_int(std::string_view s) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (!strip_plus(b, e)) return std::nullopt;
  // Up to 18 digits cannot overflow: read ids and counts without from_chars.
  if (b != e && e - b <= 18) {
    std::int64_t n = 0;
    const char* c = b;
    while (c != e && *c >= '0' && *c <= '9') n = n * 10 + (*c++ - '0');
    if (c == e) return n;
  }
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (b == e || ec != std::errc() || p != e) return std::nullopt;
  return v;
}

std::string int_error(std::string_view s) {
  const char* b = s.data();
  const char* e = b + s.size();
  std::int64_t v = 0;
  if (strip_plus(b, e) && std::from_chars(b, e, v).ec == std::errc::result_out_of_range) {
    return "value is out of range";
  }
  return "value is not an integer or out of range";
}

std::optional<double> to_double(std::string_view s) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (!strip_plus(b, e)) return std::nullopt;
  // Whole numbers of up to 15 digits ("30", a timeout) are exact in a double:
  // read them without from_chars, which costs a tenth of a leased QUEUE.GET.
  if (b != e && e - b <= 15) {
    std::int64_t n = 0;
    const char* c = b;
    while (c != e && *c >= '0' && *c <= '9') n = n * 10 + (*c++ - '0');
    if (c == e) return static_cast<double>(n);
  }
  double v = 0;
  auto [p, ec] = std::from_chars(b, e, v);
  if (b == e || ec != std::errc() || p != e || std::isnan(v)) return std::nullopt;
  return v;
}

bool iequals(std::string_view word, std::string_view upper_keyword) {
  if (word.size() != upper_keyword.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper_keyword[i]) return false;
  }
  return true;
}

std::string lower_case(std::string_view s) {
  std::string r(s);
  for (char& c : r) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return r;
}

bool valid_name(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameBytes;
}

void check_name(std::string_view name) {
  if (!valid_name(name)) fail(ErrorCode::err, "object names are 1 to 512 bytes");
}

std::string printable(std::string_view s, std::size_t max) {
  std::string r;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 32 && u < 127 && c != '\'') {
      r += c;
    } else {
      r += fmt::format("\\x{:02x}", u);
    }
  }
  return r;
}

std::string redacted_preview(std::string_view s, std::size_t max) {
  // The whole request is looked at, not only the part shown: a key may
  // follow a long prefix.
  for (std::size_t i = 0; i + 4 <= s.size(); ++i) {
    if (iequals(s.substr(i, 4), "AUTH")) return "(not shown: it mentions AUTH)";
  }
  return printable(s, max);
}

}  // namespace procshare::server::text

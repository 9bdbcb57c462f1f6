#pragma once
// Finds where one RESP2/RESP3 reply ends without building it: the load
// generator only needs to count replies and tell errors and nulls apart, and
// protocol::ReplyParser would allocate a Reply per answer, costing the
// generator the CPU the server should get. Aggregates are walked by counting
// the elements still owed, so nesting needs no recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace procshare::bench {

enum class ReplyKind { value, error, null };

struct ScannedReply {
  std::size_t size = 0;  // bytes of the whole reply; 0 = incomplete
  ReplyKind kind = ReplyKind::value;
  bool malformed = false;
};

// Parses a decimal integer (optional '-') in [p, end) up to CR; returns the
// position of the CR, or nullptr when the line is not complete yet.
inline const char* scan_line_int(const char* p, const char* end, std::int64_t& n) {
  bool neg = false;
  if (p < end && *p == '-') {
    neg = true;
    ++p;
  }
  std::int64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
  if (p + 1 >= end) return nullptr;
  n = neg ? -v : v;
  return p;
}

inline ScannedReply scan_reply(std::string_view in) {
  const char* const begin = in.data();
  const char* const end = begin + in.size();
  const char* p = begin;
  ScannedReply r;
  if (p < end && *p == '-') r.kind = ReplyKind::error;
  std::int64_t owed = 1;  // elements still to read
  bool top = true;
  while (owed > 0) {
    if (p >= end) return {};
    const char type = *p++;
    switch (type) {
      case '+':
      case '-':
      case ':':
      case ',':
      case '#':
      case '(':
      case '_': {
        const void* cr = __builtin_memchr(p, '\r', static_cast<std::size_t>(end - p));
        if (!cr) return {};
        p = static_cast<const char*>(cr);
        if (p + 1 >= end) return {};
        p += 2;
        if (top && type == '_') r.kind = ReplyKind::null;
        --owed;
        break;
      }
      case '$':
      case '=':
      case '!': {
        std::int64_t n = 0;
        p = scan_line_int(p, end, n);
        if (!p) return {};
        p += 2;
        if (n >= 0) {
          if (end - p < n + 2) return {};
          p += n + 2;
        } else if (top) {
          r.kind = ReplyKind::null;
        }
        --owed;
        break;
      }
      case '*':
      case '%':
      case '~':
      case '>': {
        std::int64_t n = 0;
        p = scan_line_int(p, end, n);
        if (!p) return {};
        p += 2;
        --owed;
        if (n > 0) owed += type == '%' ? 2 * n : n;
        if (n < 0 && top) r.kind = ReplyKind::null;
        break;
      }
      default:
        r.malformed = true;
        r.size = 1;
        return r;
    }
    top = false;
  }
  r.size = static_cast<std::size_t>(p - begin);
  return r;
}

}  // namespace procshare::bench

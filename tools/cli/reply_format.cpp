// Reply printing in redis-cli's styles (tty, raw) and as JSON. The tty layout
// follows redis-cli's cliFormatReplyTTY: an aggregate numbers its elements,
// and a nested aggregate is indented by the width of its parent's numbers so
// the columns line up:
//   1) "a"
//   2) 1) "b"
//      2) (integer) 2
#include "reply_format.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace procshare::cli {

using protocol::Reply;
using T = Reply::Type;

namespace {

bool is_aggregate(const Reply& r) {
  return r.type == T::array || r.type == T::map || r.type == T::set || r.type == T::push;
}

std::string double_text(const Reply& r) {
  if (!r.str.empty()) return r.str;  // the server's own spelling
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", r.dbl);
  return buf;
}

std::string empty_aggregate(T type) {
  switch (type) {
    case T::map:
      return "(empty hash)\n";
    case T::set:
      return "(empty set)\n";
    case T::push:
      return "(empty push)\n";
    default:
      return "(empty array)\n";
  }
}

std::string format_tty(const Reply& r, const std::string& prefix) {
  switch (r.type) {
    case T::error:
      return "(error) " + r.str + "\n";
    case T::simple:
      return r.str + "\n";
    case T::integer:
      return "(integer) " + std::to_string(r.integer) + "\n";
    case T::dbl:
      return "(double) " + double_text(r) + "\n";
    case T::bignum:
      return "(big number) " + r.str + "\n";
    case T::boolean:
      return r.integer ? "(true)\n" : "(false)\n";
    case T::null:
      return "(nil)\n";
    case T::bulk:
      return quote_bytes(r.str) + "\n";
    case T::verbatim:
      return r.str + "\n";
    case T::array:
    case T::map:
    case T::set:
    case T::push:
      break;
  }
  if (r.elements.empty()) return empty_aggregate(r.type);
  const bool map = r.type == T::map;
  const std::size_t count = map ? r.elements.size() / 2 : r.elements.size();
  const std::size_t width = std::to_string(count).size();
  const char sep = map ? '#' : r.type == T::set ? '~' : ')';
  // Children are indented past "NN) ": the number's width plus two.
  const std::string child_prefix = prefix + std::string(width + 2, ' ');
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    // The first line's prefix is already written by whoever printed our number.
    if (i > 0) out += prefix;
    std::string number = std::to_string(i + 1);
    out += std::string(width - number.size(), ' ') + number + sep + ' ';
    if (!map) {
      out += format_tty(r.elements[i], child_prefix);
      continue;
    }
    std::string key = format_tty(r.elements[2 * i], child_prefix);
    key.pop_back();  // the value follows on the same line
    out += key + " => ";
    out += 2 * i + 1 < r.elements.size() ? format_tty(r.elements[2 * i + 1], child_prefix)
                                         : std::string("(nil)\n");
  }
  return out;
}

// Raw: every leaf on its own line, aggregates flattened, nil as an empty line.
void format_raw(const Reply& r, std::string& out) {
  if (is_aggregate(r)) {
    for (const Reply& e : r.elements) format_raw(e, out);
    return;
  }
  switch (r.type) {
    case T::integer:
      out += std::to_string(r.integer);
      break;
    case T::boolean:
      out += r.integer ? "1" : "0";
      break;  // same as RESP2's :1 / :0
    case T::dbl:
      out += double_text(r);
      break;
    case T::null:
      break;
    default:
      out += r.str;
      break;
  }
  out += '\n';
}

void format_json(const Reply& r, std::string& out);

void json_key(const Reply& r, std::string& out) {
  switch (r.type) {
    case T::integer:
    case T::boolean:
      out += json_string(std::to_string(r.integer));
      return;
    case T::dbl:
      out += json_string(double_text(r));
      return;
    case T::null:
      out += "\"\"";
      return;
    default:
      break;
  }
  if (is_aggregate(r)) {
    std::string nested;
    format_json(r, nested);
    out += json_string(nested);
  } else {
    out += json_string(r.str);
  }
}

void format_json(const Reply& r, std::string& out) {
  switch (r.type) {
    case T::error:
      out += "{\"error\":" + json_string(r.str) + "}";
      return;
    case T::integer:
      out += std::to_string(r.integer);
      return;
    case T::boolean:
      out += r.integer ? "true" : "false";
      return;
    case T::null:
      out += "null";
      return;
    case T::bignum:
      out += r.str;
      return;
    case T::dbl:
      // JSON has no inf or nan: those become strings.
      out += std::isfinite(r.dbl) ? double_text(r) : json_string(double_text(r));
      return;
    case T::simple:
    case T::bulk:
    case T::verbatim:
      out += json_string(r.str);
      return;
    case T::map: {
      out += '{';
      for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
        if (i) out += ',';
        json_key(r.elements[i], out);
        out += ':';
        format_json(r.elements[i + 1], out);
      }
      out += '}';
      return;
    }
    case T::array:
    case T::set:
    case T::push: {
      out += '[';
      for (std::size_t i = 0; i < r.elements.size(); ++i) {
        if (i) out += ',';
        format_json(r.elements[i], out);
      }
      out += ']';
      return;
    }
  }
}

// Length of the valid UTF-8 sequence at s[i], or 0 if there is none.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

}  // namespace

std::string quote_bytes(std::string_view bytes) {
  std::string out = "\"";
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
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
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      default:
        if (c >= 0x20 && c < 0x7F) {
          out += ch;
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        }
    }
  }
  out += '"';
  return out;
}

std::string json_string(std::string_view bytes) {
  std::string out = "\"";
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x80) {
      if (std::size_t n = utf8_sequence(bytes, i)) {
        out.append(bytes.substr(i, n));
        i += n;
        continue;
      }
    }
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
      default:
        if (c >= 0x20 && c < 0x7F) {
          out += static_cast<char>(c);
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

std::string format_reply(const Reply& reply, OutputMode mode) {
  std::string out;
  switch (mode) {
    case OutputMode::tty:
      return format_tty(reply, "");
    case OutputMode::raw:
      // An empty aggregate prints nothing, so that `| wc -l` counts elements.
      format_raw(reply, out);
      return out;
    case OutputMode::json:
      format_json(reply, out);
      return out + "\n";
  }
  return out;
}

bool prints_text_raw(std::string_view command, std::string_view subcommand) {
  auto is = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
    }
    return true;
  };
  return is(command, "INFO") ||
         (is(command, "CLIENT") && (is(subcommand, "LIST") || is(subcommand, "INFO")));
}

}  // namespace procshare::cli

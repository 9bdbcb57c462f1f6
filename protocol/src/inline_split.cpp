// split_inline_args: Redis's sdssplitargs over a string_view, so that an
// inline request (and a procshare-cli input line) splits exactly as redis-cli
// and redis-server split it. The rules, from sdssplitargs:
//   * words are separated by isspace() bytes; an unquoted word ends at
//     ' ', '\n', '\r', '\t' (not at '\v' or '\f', which it keeps);
//   * a quote may start inside a word: foo"bar baz" is the one word "foobar baz";
//   * inside "...": \xHH (two hex digits) is a byte, \n \r \t \b \a are the
//     control characters, and a backslash before any other byte is that byte;
//   * inside '...': only \' is an escape, everything else is literal;
//   * a closing quote must be followed by a blank or the end of the line;
//   * an unterminated quote is an error.
// Redis works on a C string, so its line ends at the first NUL: at() returns
// '\0' past the end and for an embedded NUL alike.
#include "procshare/protocol/request_parser.hpp"

namespace procshare::protocol {
namespace {

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

inline bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// True for the bytes an unquoted word may contain without special handling:
// used to copy runs of plain bytes in one append.
inline bool is_plain(char c) {
  return c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\0' && c != '"' && c != '\'';
}

}  // namespace

bool split_inline_args(std::string_view line, std::string& storage,
                       std::vector<std::size_t>& word_ends) {
  storage.clear();
  word_ends.clear();
  const std::size_t n = line.size();
  const char* const s = line.data();
  auto at = [&](std::size_t i) -> char { return i < n ? s[i] : '\0'; };

  std::size_t i = 0;
  for (;;) {
    while (at(i) != '\0' && is_space(at(i))) ++i;
    if (at(i) == '\0') return true;

    bool in_dq = false, in_sq = false, done = false;
    while (!done) {
      const char c = at(i);
      if (in_dq) {
        if (c == '\\' && at(i + 1) == 'x' && is_hex(at(i + 2)) && is_hex(at(i + 3))) {
          storage.push_back(static_cast<char>(hex_value(at(i + 2)) * 16 + hex_value(at(i + 3))));
          i += 3;
        } else if (c == '\\' && at(i + 1) != '\0') {
          ++i;
          char e = at(i);
          switch (e) {
            case 'n':
              e = '\n';
              break;
            case 'r':
              e = '\r';
              break;
            case 't':
              e = '\t';
              break;
            case 'b':
              e = '\b';
              break;
            case 'a':
              e = '\a';
              break;
            default:
              break;
          }
          storage.push_back(e);
        } else if (c == '"') {
          if (at(i + 1) != '\0' && !is_space(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;  // unterminated "
        } else {
          storage.push_back(c);
        }
      } else if (in_sq) {
        if (c == '\\' && at(i + 1) == '\'') {
          ++i;
          storage.push_back('\'');
        } else if (c == '\'') {
          if (at(i + 1) != '\0' && !is_space(at(i + 1))) return false;
          done = true;
        } else if (c == '\0') {
          return false;  // unterminated '
        } else {
          storage.push_back(c);
        }
      } else {
        switch (c) {
          case ' ':
          case '\n':
          case '\r':
          case '\t':
          case '\0':
            done = true;
            break;
          case '"':
            in_dq = true;
            break;
          case '\'':
            in_sq = true;
            break;
          default: {
            // Copy the whole run of plain bytes at once (the common case).
            std::size_t j = i + 1;
            while (j < n && is_plain(s[j])) ++j;
            storage.append(s + i, j - i);
            i = j - 1;
            break;
          }
        }
      }
      if (at(i) != '\0') ++i;
    }
    word_ends.push_back(storage.size());
  }
}

}  // namespace procshare::protocol

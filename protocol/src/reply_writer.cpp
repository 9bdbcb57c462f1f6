// ReplyWriter: RESP2/RESP3 encoding of replies (PROTOCOL.md §3).
//
// On the server's hot path, so every reply is a few appends of small stack
// buffers: numbers go through std::to_chars (no locale, no iostream, no fmt).
// Doubles use to_chars' shortest round-trip form, so a float read back by a
// client is bit-for-bit the value the server holds.
#include <charconv>
#include <cmath>
#include <cstring>

#include "procshare/protocol/reply_writer.hpp"

namespace procshare::protocol {
namespace {

// Longest shortest-round-trip double is 24 chars ("-2.2250738585072014e-308").
constexpr std::size_t kDoubleChars = 32;

std::size_t format_double_to(double d, char* buf) {
  if (std::isnan(d)) {
    std::memcpy(buf, "nan", 3);
    return 3;
  }
  if (std::isinf(d)) {
    if (d > 0) {
      std::memcpy(buf, "inf", 3);
      return 3;
    }
    std::memcpy(buf, "-inf", 4);
    return 4;
  }
  return static_cast<std::size_t>(std::to_chars(buf, buf + kDoubleChars, d).ptr - buf);
}

// Simple strings and error lines cannot carry CR or LF: they would end the
// line early and desynchronise the client.
void append_line_safe(std::string& out, std::string_view s) {
  const std::size_t at = out.size();
  out.append(s);
  for (std::size_t i = at; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  }
}

}  // namespace

std::string ReplyWriter::format_double(double d) {
  char buf[kDoubleChars];
  return std::string(buf, format_double_to(d, buf));
}

void ReplyWriter::header(char type, std::size_t n) {
  if (n < 10) {  // most headers ("*2", "$3"): no conversion
    const char small[4] = {type, static_cast<char>('0' + n), '\r', '\n'};
    out_->append(small, 4);
    return;
  }
  char buf[32];
  buf[0] = type;
  char* end = std::to_chars(buf + 1, buf + sizeof buf, n).ptr;
  end[0] = '\r';
  end[1] = '\n';
  out_->append(buf, static_cast<std::size_t>(end + 2 - buf));
}

void ReplyWriter::simple(std::string_view s) {
  out_->push_back('+');
  append_line_safe(*out_, s);
  out_->append("\r\n", 2);
}

void ReplyWriter::error(std::string_view code, std::string_view msg) {
  out_->push_back('-');
  append_line_safe(*out_, code);
  if (!msg.empty()) {
    out_->push_back(' ');
    append_line_safe(*out_, msg);
  }
  out_->append("\r\n", 2);
}

void ReplyWriter::error_line(std::string_view line) {
  if (!line.empty() && line.front() == '-') line.remove_prefix(1);
  out_->push_back('-');
  append_line_safe(*out_, line);
  out_->append("\r\n", 2);
}

void ReplyWriter::integer(std::int64_t n) {
  if (n >= 0 && n < 10) {  // :0 and :1 above all
    const char small[4] = {':', static_cast<char>('0' + n), '\r', '\n'};
    out_->append(small, 4);
    return;
  }
  char buf[32];
  buf[0] = ':';
  char* end = std::to_chars(buf + 1, buf + sizeof buf, n).ptr;
  end[0] = '\r';
  end[1] = '\n';
  out_->append(buf, static_cast<std::size_t>(end + 2 - buf));
}

void ReplyWriter::bulk(std::string_view s) {
  header('$', s.size());
  out_->append(s);
  out_->append("\r\n", 2);
}

void ReplyWriter::null() {
  if (resp_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("$-1\r\n", 5);
  }
}

void ReplyWriter::null_array() {
  if (resp_ >= 3) {
    out_->append("_\r\n", 3);
  } else {
    out_->append("*-1\r\n", 5);
  }
}

void ReplyWriter::boolean(bool b) {
  if (resp_ >= 3) {
    out_->append(b ? "#t\r\n" : "#f\r\n", 4);
  } else {
    out_->append(b ? ":1\r\n" : ":0\r\n", 4);
  }
}

void ReplyWriter::floating(double d) {
  char buf[kDoubleChars];
  const std::size_t n = format_double_to(d, buf);
  if (resp_ >= 3) {
    out_->push_back(',');
    out_->append(buf, n);
    out_->append("\r\n", 2);
  } else {
    // As a bulk string a float keeps its '.' ("4.0", not "4"), so that a
    // reader of the typed encoding (docs/values.md) sees a float, not an int.
    std::size_t len = n;
    if (std::string_view(buf, n).find_first_of(".en") == std::string_view::npos) {
      buf[len++] = '.';
      buf[len++] = '0';
    }
    bulk({buf, len});
  }
}

void ReplyWriter::array(std::size_t n) {
  header('*', n);
}

void ReplyWriter::map(std::size_t n) {
  if (resp_ >= 3) {
    header('%', n);
  } else {
    header('*', 2 * n);
  }
}

void ReplyWriter::set(std::size_t n) {
  header(resp_ >= 3 ? '~' : '*', n);
}

void ReplyWriter::verbatim(std::string_view s) {
  if (resp_ >= 3) {
    header('=', s.size() + 4);
    out_->append("txt:", 4);
    out_->append(s);
    out_->append("\r\n", 2);
  } else {
    bulk(s);
  }
}

}  // namespace procshare::protocol

// ReplyParser: the client side's incremental RESP2/RESP3 reply parser.
//
// Two passes. The first is a resumable scan that allocates nothing: it reads
// one element header at a time, keeps a stack of the aggregates still open
// (capped at max_depth) and remembers where it stopped, so a big reply that
// arrives in many pieces is scanned once. Only when the scan has found the end
// of a complete reply does the second pass build the Reply tree from the same
// bytes; it can then reserve each aggregate's elements safely, because their
// count is known to be backed by bytes that are really there.
//
// Attributes (`|`) are parsed and skipped: they do not count as elements.
// Streamed strings and aggregates (`$?`, `*?`) are not used by Redis or
// procshare and are rejected.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <limits>

#include "procshare/protocol/reply.hpp"

namespace procshare::protocol {

std::string_view Reply::error_code() const {
  if (type != Type::error) return {};
  const std::string_view s = str;
  return s.substr(0, s.find(' '));
}

std::string_view Reply::error_message() const {
  if (type != Type::error) return {};
  const std::string_view s = str;
  const std::size_t sp = s.find(' ');
  return sp == std::string_view::npos ? std::string_view{} : s.substr(sp + 1);
}

namespace {

// One element header (and, for the string types, its data).
struct Token {
  char type = 0;
  std::string_view line;     // header line after the type byte, without CRLF
  std::int64_t n = 0;        // integer, string length or aggregate count (-1: null)
  double dbl = 0;            // the value of a ','
  std::string_view payload;  // the data of '$' '=' '!'
  std::size_t end = 0;       // just past the token (for an aggregate, past its header)
};

enum class Step { ok, need_more, error };

bool is_aggregate(char t) {
  return t == '*' || t == '%' || t == '~' || t == '>' || t == '|';
}

bool is_known_type(char t) {
  switch (t) {
    case '+':
    case '-':
    case ':':
    case '$':
    case '*':
    case '%':
    case '~':
    case '>':
    case '|':
    case '_':
    case '#':
    case ',':
    case '(':
    case '=':
    case '!':
      return true;
    default:
      return false;
  }
}

bool parse_int(std::string_view s, std::int64_t* v) {
  const char* b = s.data();
  const char* e = b + s.size();
  if (b != e && *b == '+') ++b;  // RESP3 allows an explicit '+'
  if (b == e || *b == '+' || (*b == '-' && s.front() == '+')) return false;
  const auto r = std::from_chars(b, e, *v);
  return r.ec == std::errc() && r.ptr == e;
}

bool parse_double(std::string_view s, double* d) {
  if (s == "inf" || s == "+inf") {
    *d = std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "-inf") {
    *d = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == "nan" || s == "-nan") {
    *d = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+' || s.front() == 'i' || s.front() == 'I' || s.front() == 'n' ||
      s.front() == 'N') {
    return false;  // spellings other than the three above are not RESP3
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *d);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Reads the element starting at `pos`. *line_scan is how far the header line
// is already known to hold no '\n' (0 when unknown); it is advanced on
// need_more so that a long line received in pieces is searched once.
Step read_token(std::string_view in, std::size_t pos, std::size_t* line_scan, std::size_t max_bulk,
                Token* t, std::string_view* err) {
  if (pos >= in.size()) return Step::need_more;
  const char* const base = in.data();
  const char type = base[pos];
  if (!is_known_type(type)) {
    *err = "Protocol error: invalid reply type byte";
    return Step::error;
  }
  const std::size_t from = std::max(*line_scan, pos + 1);
  const void* nl = from < in.size() ? std::memchr(base + from, '\n', in.size() - from) : nullptr;
  const std::size_t nl_pos =
      nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : in.size();
  // A line cannot sensibly be longer than the longest bulk: refuse rather than
  // make the caller buffer without end. Checked on the line as far as it is
  // known, so the answer is the same whether or not its '\n' has arrived.
  const std::size_t line_len = nl_pos - pos;
  if (line_len > 3 && line_len - 3 > max_bulk) {
    *err = "Protocol error: too big reply line";
    return Step::error;
  }
  if (nl == nullptr) {
    *line_scan = in.size();
    return Step::need_more;
  }
  if (nl_pos < pos + 2 || base[nl_pos - 1] != '\r') {
    *err = "Protocol error: expected CRLF";
    return Step::error;
  }
  t->type = type;
  t->line = in.substr(pos + 1, nl_pos - 1 - (pos + 1));
  t->end = nl_pos + 1;
  t->n = 0;

  switch (type) {
    case ':':
      if (!parse_int(t->line, &t->n)) {
        *err = "Protocol error: invalid integer";
        return Step::error;
      }
      break;
    case '#':
      if (t->line != "t" && t->line != "f") {
        *err = "Protocol error: invalid boolean";
        return Step::error;
      }
      break;
    case '_':
      if (!t->line.empty()) {
        *err = "Protocol error: invalid null";
        return Step::error;
      }
      break;
    case ',':
      if (!parse_double(t->line, &t->dbl)) {
        *err = "Protocol error: invalid double";
        return Step::error;
      }
      break;
    case '$':
    case '=':
    case '!': {
      if (!parse_int(t->line, &t->n) || t->n < -1 || (t->n == -1 && type != '$') ||
          (t->n >= 0 && static_cast<std::uint64_t>(t->n) > max_bulk)) {
        *err = "Protocol error: invalid bulk length";
        return Step::error;
      }
      if (t->n == -1) break;  // RESP2 null bulk
      const auto len = static_cast<std::size_t>(t->n);
      const std::size_t data = t->end;
      const std::size_t avail = in.size() - data;
      if (avail > len && base[data + len] != '\r') {
        *err = "Protocol error: expected CRLF after bulk";
        return Step::error;
      }
      if (avail < len + 2) return Step::need_more;
      if (base[data + len + 1] != '\n') {
        *err = "Protocol error: expected CRLF after bulk";
        return Step::error;
      }
      t->payload = in.substr(data, len);
      t->end = data + len + 2;
      if (type == '=' && (len < 4 || t->payload[3] != ':')) {
        *err = "Protocol error: invalid verbatim string";
        return Step::error;
      }
      break;
    }
    case '*':
    case '%':
    case '~':
    case '>':
    case '|':
      if (!parse_int(t->line, &t->n) || t->n < -1 || (t->n == -1 && type == '|') ||
          ((type == '%' || type == '|') && t->n > INT64_MAX / 2)) {
        *err = "Protocol error: invalid multibulk length";
        return Step::error;
      }
      break;
    default:  // '+' '-' '(' carry their line as it is
      break;
  }
  return Step::ok;
}

std::int64_t element_count(const Token& t) {
  return (t.type == '%' || t.type == '|') ? 2 * t.n : t.n;
}

// An element of the innermost open aggregate is complete: closes the
// aggregates it completes. True when the whole reply is complete. A completed
// attribute is not an element of its parent, so it stops the propagation.
template <class Frame>
bool element_done(std::vector<Frame>& stack) {
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (--f.remaining > 0) return false;
    const bool attribute = f.attribute;
    stack.pop_back();
    if (attribute) return false;
  }
  return true;
}

void fill(Reply& r, const Token& t) {
  using T = Reply::Type;
  switch (t.type) {
    case '+':
      r.type = T::simple;
      r.str = t.line;
      break;
    case '-':
      r.type = T::error;
      r.str = t.line;
      break;
    case '!':
      r.type = T::error;
      r.str = t.payload;
      break;
    case ':':
      r.type = T::integer;
      r.integer = t.n;
      break;
    case '$':
      if (t.n < 0) {
        r.type = T::null;
      } else {
        r.type = T::bulk;
        r.str = t.payload;
      }
      break;
    case '=':
      r.type = T::verbatim;
      r.str = t.payload.substr(4);
      break;
    case '(':
      r.type = T::bignum;
      r.str = t.line;
      break;
    case ',':
      r.type = T::dbl;
      r.dbl = t.dbl;
      r.str = t.line;
      break;
    case '#':
      r.type = T::boolean;
      r.integer = t.line == "t" ? 1 : 0;
      break;
    case '_':
      r.type = T::null;
      break;
    case '*':
      r.type = t.n < 0 ? T::null : T::array;
      break;
    case '%':
      r.type = t.n < 0 ? T::null : T::map;
      break;
    case '~':
      r.type = t.n < 0 ? T::null : T::set;
      break;
    case '>':
      r.type = t.n < 0 ? T::null : T::push;
      break;
    default:
      break;
  }
}

// The second pass over the bytes of one complete, already validated reply.
void build(std::string_view in, std::size_t max_bulk, Reply* out) {
  struct Frame {
    Reply* reply;  // nullptr inside an attribute: parsed, not kept
    std::int64_t remaining;
    bool attribute;
  };
  std::vector<Frame> stack;
  std::size_t pos = 0;
  for (;;) {
    Token t;
    std::size_t scan = 0;
    std::string_view err;
    if (read_token(in, pos, &scan, max_bulk, &t, &err) != Step::ok) return;  // cannot happen
    pos = t.end;
    if (t.type == '|') {
      if (t.n > 0) stack.push_back({nullptr, element_count(t), true});
      continue;
    }
    Reply* r = nullptr;
    if (stack.empty()) {
      r = out;
    } else if (stack.back().reply != nullptr) {
      r = &stack.back().reply->elements.emplace_back();  // capacity reserved: no move
    }
    if (r != nullptr) fill(*r, t);
    if (is_aggregate(t.type) && t.n > 0) {
      const std::int64_t count = element_count(t);
      if (r != nullptr) r->elements.reserve(static_cast<std::size_t>(count));
      stack.push_back({r, count, false});
      continue;
    }
    if (element_done(stack)) return;
  }
}

}  // namespace

ReplyStatus ReplyParser::fail(std::string* error, std::string_view what) {
  pos_ = 0;
  line_scan_ = 0;
  stack_.clear();
  if (error != nullptr) error->assign(what);
  return ReplyStatus::error;
}

ReplyStatus ReplyParser::parse(std::string_view input, Reply* out, std::size_t* consumed,
                               std::string* error) {
  for (;;) {
    Token t;
    std::string_view err;
    const Step step = read_token(input, pos_, &line_scan_, max_bulk_, &t, &err);
    if (step == Step::need_more) return ReplyStatus::need_more;
    if (step == Step::error) return fail(error, err);
    pos_ = t.end;
    line_scan_ = 0;
    if (is_aggregate(t.type) && t.n > 0) {
      if (stack_.size() >= max_depth_)
        return fail(error, "Protocol error: reply nested too deeply");
      stack_.push_back({element_count(t), t.type == '|'});
      continue;
    }
    if (t.type == '|') continue;  // an empty attribute: nothing to skip
    if (element_done(stack_)) break;
  }
  const std::size_t end = pos_;
  pos_ = 0;
  line_scan_ = 0;
  stack_.clear();
  *out = Reply{};
  build(input.substr(0, end), max_bulk_, out);
  *consumed = end;
  return ReplyStatus::complete;
}

}  // namespace procshare::protocol

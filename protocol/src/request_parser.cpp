// RequestParser: the incremental parser of client requests (PROTOCOL.md §2).
//
// Design: a resumable state machine over the caller's buffer, in the manner of
// Redis's processMultibulkBuffer/processInlineBuffer. Multibulk arguments are
// never copied (args() views the input); between calls only offsets are kept,
// because the caller's storage may move. A bulk whose data has not all arrived
// is not looked at again until its last byte is there, so a huge bulk fed in
// small pieces costs O(1) per call.
//
// Every limit is checked on the bytes seen so far, before anything is stored:
// a length line is rejected at the first digit that takes it past its limit,
// and an unterminated inline line as soon as it is longer than max_inline.
//
// Determinism: the answer for a byte stream must not depend on how the stream
// is cut into calls (the fuzz target checks this). So every decision is a
// function of a prefix of the stream: max_request is enforced by parsing only
// the first max_request bytes (a request that does not end within them is too
// big), and an inline line is checked for NUL bytes and quotes only once it is
// complete, after its length.
#include <array>
#include <cstring>

#include "procshare/protocol/request_parser.hpp"

namespace procshare::protocol {
namespace {

constexpr std::string_view kInvalidMultibulkLength = "Protocol error: invalid multibulk length";
constexpr std::string_view kInvalidBulkLength = "Protocol error: invalid bulk length";
constexpr std::string_view kExpectedCrlf = "Protocol error: expected CRLF after bulk";
constexpr std::string_view kUnbalancedQuotes = "Protocol error: unbalanced quotes in request";
constexpr std::string_view kTooBigInline = "Protocol error: too big inline request";
constexpr std::string_view kTooBigRequest = "Protocol error: too big request";
constexpr std::string_view kNulInline = "Protocol error: NUL byte in inline request";
constexpr std::string_view kTooManyInlineArgs = "Protocol error: too many arguments in request";

// Past this many stored arguments the vectors are released after the request,
// so one huge request does not pin its memory for the connection's lifetime.
constexpr std::size_t kKeepCapacity = 64 * 1024;

// "expected '$', got 'x'" for every byte, built once: ParseResult::error must
// be static text. Unprintable bytes are shown as \xHH so that the error reply
// stays one clean line.
std::string_view expected_dollar(unsigned char c) {
  static const std::array<std::string, 256> table = [] {
    std::array<std::string, 256> t;
    constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 256; ++i) {
      std::string s = "Protocol error: expected '$', got '";
      if (i >= 0x20 && i < 0x7f) {
        s += static_cast<char>(i);
      } else {
        s += "\\x";
        s += hex[i >> 4];
        s += hex[i & 15];
      }
      s += '\'';
      t[i] = std::move(s);
    }
    return t;
  }();
  return table[c];
}

enum class Num { ok, need_more, bad };

// Parses a length line "<digits>\r\n" starting at p (just after the type
// byte). Digits are canonical as in Redis's string2ll: no sign, no leading
// zero. With allow_minus_one, exactly "-1" is accepted too (the null array).
// The answer is `bad` as soon as the bytes seen cannot start a valid line whose
// value is <= max, so a line of junk or a huge length is refused at once and a
// pending line is never longer than ~22 bytes (cheap to rescan).
inline Num parse_length(const char* p, const char* end, std::uint64_t max, bool allow_minus_one,
                        std::int64_t* value, const char** next) {
  const char* s = p;
  std::uint64_t v = 0;
  if (s != end && *s == '-') {
    if (!allow_minus_one) return Num::bad;
    if (++s == end) return Num::need_more;
    if (*s != '1') return Num::bad;
    ++s;
    v = 1;  // value is -1, checked below for "\r\n" like the others
  } else {
    const std::uint64_t max_div = max / 10, max_mod = max % 10;
    while (s != end) {
      const unsigned d = static_cast<unsigned char>(*s) - unsigned{'0'};
      if (d > 9) break;
      if (s != p && v == 0) return Num::bad;  // leading zero
      if (v > max_div || (v == max_div && d > max_mod)) return Num::bad;
      v = v * 10 + d;
      ++s;
    }
    if (s != end && s == p) return Num::bad;  // no digits
  }
  if (s == end) return Num::need_more;
  if (*s != '\r') return Num::bad;
  if (++s == end) return Num::need_more;
  if (*s != '\n') return Num::bad;
  *value = (*p == '-') ? -1 : static_cast<std::int64_t>(v);
  *next = s + 1;
  return Num::ok;
}

constexpr ParseResult need_more() {
  return {ParseStatus::need_more, 0, {}};
}
constexpr ParseResult completed(std::size_t consumed) {
  return {ParseStatus::complete, consumed, {}};
}

constexpr std::uint64_t clamp_limit(std::size_t limit) {
  constexpr std::uint64_t max64 = static_cast<std::uint64_t>(INT64_MAX);
  return limit > max64 ? max64 : limit;
}

}  // namespace

void RequestParser::forget_progress() {
  in_multibulk_ = false;
  expected_args_ = 0;
  scan_pos_ = 0;
  pending_bulk_len_ = -1;
  offsets_.clear();
}

void RequestParser::reset() {
  forget_progress();
  args_.clear();
}

ParseResult RequestParser::fail(std::string_view what) {
  forget_progress();
  args_.clear();
  return {ParseStatus::error, 0, what};
}

ParseResult RequestParser::parse(std::string_view input) {
  if (scan_pos_ == 0 && !in_multibulk_ && offsets_.capacity() > kKeepCapacity) {
    offsets_ = {};
    args_ = {};
  }
  // Only the first max_request bytes are parsed: a request that has not ended
  // within them is too big, whatever follows.
  const bool truncated = input.size() > limits_.max_request;
  const std::string_view view = truncated ? input.substr(0, limits_.max_request) : input;
  if (view.empty()) return truncated ? fail(kTooBigRequest) : need_more();

  ParseResult r = view[0] == '*' ? parse_multibulk(view) : parse_inline(view);
  if (r.status == ParseStatus::need_more && truncated) return fail(kTooBigRequest);
  return r;
}

ParseResult RequestParser::parse_multibulk(std::string_view input) {
  const char* const base = input.data();
  const char* const end = base + input.size();
  const char* p = base + scan_pos_;
  inline_ = false;

  if (!in_multibulk_) {
    std::int64_t count = 0;
    const char* next = nullptr;
    switch (parse_length(base + 1, end, clamp_limit(limits_.max_array), true, &count, &next)) {
      case Num::need_more:
        return need_more();
      case Num::bad:
        return fail(kInvalidMultibulkLength);
      case Num::ok:
        break;
    }
    if (count <= 0) {  // "*0" and "*-1": an empty request the caller skips
      args_.clear();
      forget_progress();
      return completed(static_cast<std::size_t>(next - base));
    }
    in_multibulk_ = true;
    expected_args_ = count;
    pending_bulk_len_ = -1;
    offsets_.clear();
    p = next;
  }

  const std::uint64_t max_bulk = clamp_limit(limits_.max_bulk);
  while (offsets_.size() < static_cast<std::size_t>(expected_args_)) {
    if (pending_bulk_len_ < 0) {
      if (p >= end) break;
      if (*p != '$') return fail(expected_dollar(static_cast<unsigned char>(*p)));
      const char* next = nullptr;
      const Num n = parse_length(p + 1, end, max_bulk, false, &pending_bulk_len_, &next);
      if (n == Num::need_more) break;
      if (n == Num::bad) return fail(kInvalidBulkLength);
      p = next;
    }
    // The data of the pending bulk: not looked at until all of it is here.
    const auto len = static_cast<std::size_t>(pending_bulk_len_);
    const auto avail = static_cast<std::size_t>(end - p);
    if (avail <= len) break;
    if (p[len] != '\r') return fail(kExpectedCrlf);
    if (avail == len + 1) break;
    if (p[len + 1] != '\n') return fail(kExpectedCrlf);
    offsets_.emplace_back(static_cast<std::size_t>(p - base), len);
    p += len + 2;
    pending_bulk_len_ = -1;
  }
  if (offsets_.size() < static_cast<std::size_t>(expected_args_)) {
    scan_pos_ = static_cast<std::size_t>(p - base);
    return need_more();
  }
  return finish_multibulk(input, static_cast<std::size_t>(p - base));
}

ParseResult RequestParser::finish_multibulk(std::string_view input, std::size_t consumed) {
  const std::size_t n = offsets_.size();
  args_.resize(n);
  const char* base = input.data();
  for (std::size_t i = 0; i < n; ++i) args_[i] = {base + offsets_[i].first, offsets_[i].second};
  forget_progress();
  return completed(consumed);
}

ParseResult RequestParser::parse_inline(std::string_view input) {
  inline_ = true;
  const char* const base = input.data();
  const std::size_t size = input.size();
  // scan_pos_ bytes are already known to hold no '\n': search only the rest.
  const void* nl =
      scan_pos_ < size ? std::memchr(base + scan_pos_, '\n', size - scan_pos_) : nullptr;
  if (nl == nullptr) {
    scan_pos_ = size;
    // A trailing '\r' may be the start of the line ending, so it does not count.
    const std::size_t line_so_far = size - (base[size - 1] == '\r' ? 1 : 0);
    if (line_so_far > limits_.max_inline) return fail(kTooBigInline);
    return need_more();
  }
  const auto nl_pos = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
  std::size_t len = nl_pos;
  if (len > 0 && base[len - 1] == '\r') --len;
  if (len > limits_.max_inline) return fail(kTooBigInline);
  // A NUL would end the line for sdssplitargs (and for Redis's strchr scan):
  // refuse it rather than silently drop what follows.
  if (std::memchr(base, '\0', len) != nullptr) return fail(kNulInline);
  if (!split_inline_args({base, len}, scratch_, word_ends_)) return fail(kUnbalancedQuotes);
  // max_array counts the words of an inline request too (10 before AUTH).
  // Splitting could not allocate more than the line's size, already bounded.
  if (word_ends_.size() > limits_.max_array) return fail(kTooManyInlineArgs);

  args_.resize(word_ends_.size());
  std::size_t begin = 0;
  for (std::size_t i = 0; i < word_ends_.size(); ++i) {
    args_[i] = {scratch_.data() + begin, word_ends_[i] - begin};
    begin = word_ends_[i];
  }
  forget_progress();
  return completed(nl_pos + 1);
}

}  // namespace procshare::protocol

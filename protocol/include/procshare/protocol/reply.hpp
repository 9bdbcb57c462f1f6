#pragma once
// A parsed reply, as a client sees it (RESP2 and RESP3), and its incremental
// parser. Used by the client library, procshare-cli and the tests.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace procshare::protocol {

struct Reply {
  enum class Type {
    simple,    // +text        -> str
    error,     // -CODE msg    -> str (whole line)
    integer,   // :n           -> integer
    bulk,      // $n           -> str
    null,      // $-1, *-1, _
    array,     // *n           -> elements
    map,       // %n           -> elements (k1 v1 k2 v2 ...)
    set,       // ~n           -> elements
    boolean,   // #t #f        -> integer 0/1
    dbl,       // ,d           -> dbl (and str keeps the text)
    verbatim,  // =n           -> str (without the "txt:" prefix)
    bignum,    // (n           -> str
    push,      // >n           -> elements
  };
  Type type = Type::null;
  std::string str;
  std::int64_t integer = 0;
  double dbl = 0;
  std::vector<Reply> elements;

  bool is_error() const { return type == Type::error; }
  // The error code: the first word of an error reply ("WRONGTYPE").
  std::string_view error_code() const;
  // The error text after the code.
  std::string_view error_message() const;
};

enum class ReplyStatus { complete, need_more, error };

// Incremental reply parser: same contract as RequestParser (bytes of the reply
// being parsed stay at the start of the span; more bytes are appended). Nesting
// deeper than max_depth and lengths past max_bulk are errors.
class ReplyParser {
 public:
  explicit ReplyParser(std::size_t max_depth = 64, std::size_t max_bulk = 512u * 1024 * 1024)
      : max_depth_(max_depth), max_bulk_(max_bulk) {}

  // On complete, *out holds the reply and `consumed` says how many bytes it took.
  ReplyStatus parse(std::string_view input, Reply* out, std::size_t* consumed,
                    std::string* error = nullptr);

 private:
  // An aggregate of the reply being scanned, with the elements it still awaits.
  // An attribute (`|`) is not an element of its parent.
  struct Frame {
    std::int64_t remaining;
    bool attribute;
  };
  ReplyStatus fail(std::string* error, std::string_view what);

  std::size_t max_depth_;
  std::size_t max_bulk_;
  // Progress through a partially received reply, so that a big reply received
  // in many pieces is scanned once: where the next element starts, how far its
  // header line is known to hold no '\n', and the aggregates still open.
  std::size_t pos_ = 0;
  std::size_t line_scan_ = 0;
  std::vector<Frame> stack_;
};

}  // namespace procshare::protocol

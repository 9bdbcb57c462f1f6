#pragma once
// Incremental parser of client requests: RESP arrays of bulk strings and inline
// command lines (PROTOCOL.md §2). Pure code over bytes: no sockets, no Asio.
//
// Contract: the caller keeps the bytes of the request being parsed at the
// start of the span it passes, and appends newly received bytes to its end
// (the storage may move between calls). parse() either
//   * returns complete: args() views the request's arguments (into the caller's
//     buffer, or into the parser's own scratch for decoded inline words), valid
//     until the next parse() or until the caller changes the buffer; `consumed`
//     bytes are the request and may be dropped by the caller afterwards;
//   * returns need_more: nothing is consumed; call again with more bytes. The
//     parser remembers how far it got, so a 512 MiB bulk fed in small chunks is
//     scanned once, not once per chunk;
//   * returns error: `error` says what was wrong ("Protocol error: ..." text
//     without the ERR prefix). The connection should reply and close.
// An empty inline line is consumed with zero args (status complete, args empty);
// callers skip it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/limits.hpp"

namespace procshare::protocol {

enum class ParseStatus { complete, need_more, error };

struct ParseResult {
  ParseStatus status;
  std::size_t consumed = 0;
  std::string_view error;  // static text, valid forever
};

class RequestParser {
 public:
  explicit RequestParser(Limits limits = {}) : limits_(limits) {}

  void set_limits(const Limits& limits) { limits_ = limits; }
  const Limits& limits() const { return limits_; }

  ParseResult parse(std::string_view input);

  std::span<const std::string_view> args() const { return args_; }
  bool last_was_inline() const { return inline_; }

  // Forget any partial progress (after the caller dropped its buffer).
  void reset();

  // While the data of a bulk is awaited (the last parse needed more): the
  // input size, from the request's first byte, that completes that bulk and
  // its CRLF; otherwise 0. Lets the caller grow its buffer geometrically
  // towards it instead of by one read at a time.
  std::size_t bulk_end() const {
    return in_multibulk_ && pending_bulk_len_ >= 0
               ? scan_pos_ + static_cast<std::size_t>(pending_bulk_len_) + 2
               : 0;
  }

 private:
  ParseResult parse_multibulk(std::string_view input);
  ParseResult parse_inline(std::string_view input);
  ParseResult fail(std::string_view what);
  ParseResult finish_multibulk(std::string_view input, std::size_t consumed);
  void forget_progress();

  Limits limits_;
  // Progress through a partially received request. Only offsets are kept,
  // never pointers, because the caller's storage may move between calls.
  bool in_multibulk_ = false;
  std::int64_t expected_args_ = 0;
  std::size_t scan_pos_ = 0;  // multibulk: next unparsed byte; inline: bytes known to hold no '\n'
  std::int64_t pending_bulk_len_ = -1;  // length of the bulk whose data is awaited, or -1
  std::vector<std::pair<std::size_t, std::size_t>> offsets_;  // (offset, length) in input
  std::vector<std::string_view> args_;
  std::string scratch_;  // decoded inline words
  std::vector<std::size_t> word_ends_;
  bool inline_ = false;
};

// Splits an inline command line into words as Redis's sdssplitargs does:
// double quotes with \" \\ \n \r \t \a \b \xHH, single quotes literal except \'.
// Returns false on unbalanced quotes or a closing quote not followed by a space.
// Clears `storage` and `word_ends`, then stores the words back to back in
// `storage`: word i is storage[word_ends[i-1] (0 for i = 0), word_ends[i]).
// As in Redis (which splits a C string), the line ends at its first NUL byte.
bool split_inline_args(std::string_view line, std::string& storage,
                       std::vector<std::size_t>& word_ends);

}  // namespace procshare::protocol

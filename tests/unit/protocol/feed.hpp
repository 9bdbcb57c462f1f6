#pragma once
// Test helpers: drive a RequestParser / ReplyParser the way a connection does
// (append received bytes, parse, drop what was consumed) under a chosen
// chunking, and record what came out.
//
// Every parse() call gets a fresh heap copy of exactly the buffered bytes, so
// AddressSanitizer catches any read past the end, and the parser is checked
// not to keep pointers into storage that moved.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/reply.hpp"
#include "procshare/protocol/request_parser.hpp"

namespace procshare::protocol::test {

// One parser outcome: the args of a complete request, or an error.
struct Event {
  bool error = false;
  std::string text;  // the error message
  std::vector<std::string> args;
  bool operator==(const Event&) const = default;
};

struct Outcome {
  std::vector<Event> events;
  std::size_t left_over = 0;  // buffered bytes when the input ran out
  bool operator==(const Outcome&) const = default;
};

inline std::string describe(const Outcome& o) {
  std::string s;
  for (const Event& e : o.events) {
    if (e.error) {
      s += "error(" + e.text + ") ";
      continue;
    }
    s += "[";
    for (const std::string& a : e.args) s += "'" + a + "' ";
    s += "] ";
  }
  s += "left=" + std::to_string(o.left_over);
  return s;
}

// Feeds `stream` cut at `cuts` (ascending offsets) to a fresh parser.
inline Outcome feed(std::string_view stream, const std::vector<std::size_t>& cuts,
                    Limits limits = {}) {
  RequestParser parser(limits);
  Outcome out;
  std::string buffer;
  std::size_t from = 0;
  auto pieces = cuts;
  pieces.push_back(stream.size());
  for (std::size_t to : pieces) {
    buffer.append(stream.substr(from, to - from));
    from = to;
    for (;;) {
      auto copy = std::make_unique<char[]>(buffer.size());
      buffer.copy(copy.get(), buffer.size());
      const ParseResult r = parser.parse({copy.get(), buffer.size()});
      if (r.status == ParseStatus::need_more) break;
      if (r.status == ParseStatus::error) {
        out.events.push_back({true, std::string(r.error), {}});
        return out;
      }
      Event e;
      for (std::string_view a : parser.args()) e.args.emplace_back(a);
      out.events.push_back(std::move(e));
      buffer.erase(0, r.consumed);
      if (buffer.empty()) break;
    }
  }
  out.left_over = buffer.size();
  return out;
}

inline Outcome feed_whole(std::string_view stream, Limits limits = {}) {
  return feed(stream, {}, limits);
}

inline Outcome feed_bytewise(std::string_view stream, Limits limits = {}) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
  return feed(stream, cuts, limits);
}

// A canonical text of a Reply, for comparisons with readable failures.
inline std::string render(const Reply& r) {
  using T = Reply::Type;
  auto list = [&](const char* open) {
    std::string s = open;
    for (const Reply& e : r.elements) s += render(e) + " ";
    return s + ")";
  };
  switch (r.type) {
    case T::simple:
      return "simple(" + r.str + ")";
    case T::error:
      return "error(" + r.str + ")";
    case T::integer:
      return "int(" + std::to_string(r.integer) + ")";
    case T::bulk:
      return "bulk(" + r.str + ")";
    case T::null:
      return "null";
    case T::array:
      return list("array(");
    case T::map:
      return list("map(");
    case T::set:
      return list("set(");
    case T::boolean:
      return r.integer ? "true" : "false";
    case T::dbl:
      return "double(" + r.str + ")";
    case T::verbatim:
      return "verbatim(" + r.str + ")";
    case T::bignum:
      return "bignum(" + r.str + ")";
    case T::push:
      return list("push(");
  }
  return "?";
}

// Feeds a reply stream to a ReplyParser cut at `cuts`; renders each reply or error.
inline std::vector<std::string> feed_replies(std::string_view stream,
                                             const std::vector<std::size_t>& cuts,
                                             std::size_t max_depth = 64,
                                             std::size_t max_bulk = 512u * 1024 * 1024) {
  ReplyParser parser(max_depth, max_bulk);
  std::vector<std::string> out;
  std::string buffer;
  std::size_t from = 0;
  auto pieces = cuts;
  pieces.push_back(stream.size());
  for (std::size_t to : pieces) {
    buffer.append(stream.substr(from, to - from));
    from = to;
    while (!buffer.empty()) {
      auto copy = std::make_unique<char[]>(buffer.size());
      buffer.copy(copy.get(), buffer.size());
      Reply reply;
      std::size_t consumed = 0;
      std::string error;
      const ReplyStatus s = parser.parse({copy.get(), buffer.size()}, &reply, &consumed, &error);
      if (s == ReplyStatus::need_more) break;
      if (s == ReplyStatus::error) {
        out.push_back("ERROR " + error);
        return out;
      }
      out.push_back(render(reply));
      buffer.erase(0, consumed);
    }
  }
  if (!buffer.empty()) out.push_back("partial " + std::to_string(buffer.size()));
  return out;
}

}  // namespace procshare::protocol::test

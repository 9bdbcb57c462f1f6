// libFuzzer target for RequestParser.
//
// The first input byte picks the limits (default, pre-auth, tiny, small) and
// seeds how the rest is cut into pieces. The rest is fed to one parser whole,
// to another in pseudo-random pieces (and, when short, one byte at a time),
// the way a connection appends received bytes. All must produce the same
// sequence of requests and the same error. Every parse() call gets a fresh
// heap copy of exactly the buffered bytes, so ASan sees any read past the end.
// Invariants checked on each result: need_more consumes nothing; complete
// consumes at least one byte and at most the input and max_request; args stay
// within the limits (an inline word within max_inline, a bulk within max_bulk).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/request_parser.hpp"

namespace {

using procshare::protocol::Limits;
using procshare::protocol::ParseResult;
using procshare::protocol::ParseStatus;
using procshare::protocol::RequestParser;

struct Event {
  bool error = false;
  std::string text;
  std::vector<std::string> args;
  bool operator==(const Event&) const = default;
};

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

Limits pick_limits(std::uint8_t choice) {
  Limits l;
  switch (choice & 3) {
    case 0:
      break;
    case 1:
      l = Limits::pre_auth();
      break;
    case 2:  // tiny: every limit is reachable by small inputs
      l.max_bulk = 8;
      l.max_array = 4;
      l.max_inline = 16;
      l.max_request = 48;
      break;
    default:
      l.max_bulk = 100;
      l.max_array = 20;
      l.max_inline = 200;
      l.max_request = 1000;
      break;
  }
  return l;
}

std::vector<Event> run(std::string_view stream, const std::vector<std::size_t>& cuts,
                       const Limits& limits) {
  RequestParser parser(limits);
  std::vector<Event> events;
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
      const std::string_view in(copy.get(), buffer.size());
      const ParseResult r = parser.parse(in);
      if (r.status == ParseStatus::need_more) {
        check(r.consumed == 0, "need_more consumed bytes");
        break;
      }
      if (r.status == ParseStatus::error) {
        check(!r.error.empty(), "error without text");
        events.push_back({true, std::string(r.error), {}});
        return events;
      }
      check(r.consumed >= 1 && r.consumed <= in.size(), "consumed out of range");
      check(r.consumed <= limits.max_request, "request over max_request accepted");
      Event e;
      const auto args = parser.args();
      check(args.size() <= limits.max_array, "too many args accepted");
      for (std::string_view a : args) {
        if (parser.last_was_inline()) {
          check(a.size() <= limits.max_inline, "inline word over max_inline accepted");
        } else {
          check(a.size() <= limits.max_bulk, "bulk over max_bulk accepted");
          check(a.data() >= in.data() && a.data() + a.size() <= in.data() + r.consumed,
                "multibulk arg outside the request");
        }
        e.args.emplace_back(a);
      }
      events.push_back(std::move(e));
      buffer.erase(0, r.consumed);
    }
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t config = data[0];
  const Limits limits = pick_limits(config);
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::vector<Event> whole = run(stream, {}, limits);

  // Pseudo-random cuts: a small xorshift seeded by the config byte and size.
  std::uint32_t x = 0x9e3779b9u ^ (config * 0x01000193u) ^ static_cast<std::uint32_t>(size);
  std::vector<std::size_t> cuts;
  for (std::size_t at = 0;;) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    at += 1 + x % ((config >> 2) + 2);
    if (at >= stream.size()) break;
    cuts.push_back(at);
  }
  check(run(stream, cuts, limits) == whole, "pieces differ from whole");

  if (stream.size() <= 256) {
    std::vector<std::size_t> bytewise;
    for (std::size_t i = 1; i < stream.size(); ++i) bytewise.push_back(i);
    check(run(stream, bytewise, limits) == whole, "bytewise differs from whole");
  }
  return 0;
}

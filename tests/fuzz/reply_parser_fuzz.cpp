// libFuzzer target for ReplyParser.
//
// The first input byte picks max_depth and max_bulk and seeds the cutting;
// the rest is parsed whole and in pseudo-random pieces (and byte by byte when
// short). Both must give the same replies and the same error. Fresh exact-size
// heap copies per call let ASan catch reads past the end.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/reply.hpp"

namespace {

using procshare::protocol::Reply;
using procshare::protocol::ReplyParser;
using procshare::protocol::ReplyStatus;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "invariant broken: %s\n", what);
    std::abort();
  }
}

// A canonical text of a reply, iterative so deep replies cannot overflow the stack.
std::string render(const Reply& top) {
  std::string s;
  std::vector<const Reply*> todo{&top};
  while (!todo.empty()) {
    const Reply* r = todo.back();
    todo.pop_back();
    if (r == nullptr) {
      s += ')';
      continue;
    }
    s += std::to_string(static_cast<int>(r->type)) + ":" + std::to_string(r->integer) + ":" +
         std::to_string(r->str.size()) + ":" + r->str + "(";
    todo.push_back(nullptr);
    for (auto it = r->elements.rbegin(); it != r->elements.rend(); ++it) todo.push_back(&*it);
  }
  return s;
}

std::vector<std::string> run(std::string_view stream, const std::vector<std::size_t>& cuts,
                             std::size_t max_depth, std::size_t max_bulk) {
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
        check(!error.empty(), "error without text");
        out.push_back("ERROR " + error);
        return out;
      }
      check(consumed >= 1 && consumed <= buffer.size(), "consumed out of range");
      out.push_back(render(reply));
      buffer.erase(0, consumed);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t config = data[0];
  const std::size_t max_depth = (config & 1) ? 3 : 64;
  const std::size_t max_bulk = (config & 2) ? 16 : 512u * 1024 * 1024;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  const auto whole = run(stream, {}, max_depth, max_bulk);

  std::uint32_t x = 0x85ebca6bu ^ (config * 0x01000193u) ^ static_cast<std::uint32_t>(size);
  std::vector<std::size_t> cuts;
  for (std::size_t at = 0;;) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    at += 1 + x % ((config >> 2) + 2);
    if (at >= stream.size()) break;
    cuts.push_back(at);
  }
  check(run(stream, cuts, max_depth, max_bulk) == whole, "pieces differ from whole");

  if (stream.size() <= 256) {
    std::vector<std::size_t> bytewise;
    for (std::size_t i = 1; i < stream.size(); ++i) bytewise.push_back(i);
    check(run(stream, bytewise, max_depth, max_bulk) == whole, "bytewise differs from whole");
  }
  return 0;
}

// The hot path allocates nothing once warm: parsing pipelined requests and
// writing replies into a buffer with capacity. Counted with a replaced global
// operator new that counts only while a test asks it to.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "procshare/protocol/reply_writer.hpp"
#include "procshare/protocol/request_parser.hpp"

namespace {
std::atomic<bool> counting{false};
std::atomic<std::size_t> allocations{0};
}  // namespace

// GCC 12 at -O2 inlines these replacements and then mistakes the matching
// malloc/free pair for a mismatch (-Wmismatched-new-delete); they do match.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace procshare::protocol {
namespace {

std::size_t parse_all(RequestParser& p, std::string_view in) {
  std::size_t n = 0;
  for (;;) {
    const ParseResult r = p.parse(in);
    if (r.status != ParseStatus::complete) return n;
    n += p.args().size();
    in.remove_prefix(r.consumed);
  }
}

TEST(NoAlloc, ParserAfterWarmUp) {
  std::string stream;
  for (int i = 0; i < 100; ++i) {
    stream += "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
    stream += "DICT.SET d \"a key\" 'v'\r\n";
    stream += "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n";
  }
  RequestParser p;
  ASSERT_EQ(parse_all(p, stream), 1200u);  // warm-up: vectors reach their size
  allocations = 0;
  counting = true;
  const std::size_t args = parse_all(p, stream);
  // A request that arrives in pieces.
  std::size_t pieces = 0;
  const std::string_view frame = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  for (std::size_t i = 1; i <= frame.size(); ++i) {
    if (p.parse(frame.substr(0, i)).status == ParseStatus::complete) ++pieces;
  }
  counting = false;
  EXPECT_EQ(args, 1200u);
  EXPECT_EQ(pieces, 1u);
  EXPECT_EQ(allocations.load(), 0u);
}

TEST(NoAlloc, WriterIntoABufferWithCapacity) {
  std::string out;
  out.reserve(4096);
  ReplyWriter w(out, 3);
  allocations = 0;
  counting = true;
  for (int i = 0; i < 10; ++i) {
    w.integer(123456789);
    w.bulk("value");
    w.floating(0.1);
    w.map(1);
    w.simple("OK");
    w.null();
    w.boolean(true);
    w.error("ERR", "msg");
  }
  counting = false;
  EXPECT_EQ(allocations.load(), 0u);
}

}  // namespace
}  // namespace procshare::protocol

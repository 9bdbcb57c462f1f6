// RequestParser: table-driven. Every frame is fed whole, one byte at a time
// and split at every offset, and must give the same outcome each way.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "feed.hpp"
#include "procshare/protocol/request_parser.hpp"

namespace procshare::protocol {
namespace {

using test::Event;
using test::feed;
using test::feed_bytewise;
using test::feed_whole;
using test::Outcome;

using namespace std::string_literals;

// Checks that `stream` gives `expected` however it is cut.
void expect_all_cuts(const std::string& stream, const Outcome& expected, Limits limits = {}) {
  SCOPED_TRACE("stream: " + testing::PrintToString(stream));
  EXPECT_EQ(test::describe(feed_whole(stream, limits)), test::describe(expected));
  EXPECT_EQ(test::describe(feed_bytewise(stream, limits)), test::describe(expected));
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    ASSERT_EQ(test::describe(feed(stream, {cut}, limits)), test::describe(expected))
        << "split at " << cut;
  }
}

Outcome complete(std::vector<std::string> args) {
  return {{Event{false, "", std::move(args)}}, 0};
}
Outcome error(const std::string& text) {
  return {{Event{true, text, {}}}, 0};
}
Outcome need_more(std::size_t buffered) {
  return {{}, buffered};
}

struct ValidCase {
  std::string frame;
  std::vector<std::string> args;
};

std::vector<ValidCase> valid_cases() {
  return {
      {"*1\r\n$4\r\nPING\r\n", {"PING"}},
      {"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", {"SET", "key", "value"}},
      {"*2\r\n$0\r\n\r\n$1\r\nx\r\n", {"", "x"}},
      {"*1\r\n$6\r\na\r\nb\r\n\r\n", {"a\r\nb\r\n"}},  // CRLF inside a bulk is data
      {"*1\r\n$3\r\n\0\0\0\r\n"s, {"\0\0\0"s}},        // binary safe
      {"*2\r\n$1\r\n*\r\n$1\r\n$\r\n", {"*", "$"}},
      {"*1\r\n$10\r\n0123456789\r\n", {"0123456789"}},
      {"*0\r\n", {}},
      {"*-1\r\n", {}},
      {"PING\r\n", {"PING"}},
      {"PING\n", {"PING"}},
      {"set k v\r\n", {"set", "k", "v"}},
      {"  a \t b  \r\n", {"a", "b"}},
      {"\r\n", {}},
      {"\n", {}},
      {"   \n", {}},
      {"set \"a b\" 'c d'\n", {"set", "a b", "c d"}},
      {"echo \"\\x41\\r\\n\"\r\n", {"echo", "A\r\n"}},
      {"a\r\r\n", {"a"}},  // only one '\r' belongs to the line ending; the other is a blank
      {"$3\r\n", {"$3"}},  // anything but '*' starts an inline line
  };
}

TEST(RequestParser, ValidFramesAnyChunking) {
  for (const ValidCase& c : valid_cases()) expect_all_cuts(c.frame, complete(c.args));
}

TEST(RequestParser, PipelinedFramesAnyChunking) {
  std::string stream;
  Outcome expected;
  for (const ValidCase& c : valid_cases()) {
    stream += c.frame;
    expected.events.push_back({false, "", c.args});
  }
  EXPECT_EQ(test::describe(feed_whole(stream)), test::describe(expected));
  EXPECT_EQ(test::describe(feed_bytewise(stream)), test::describe(expected));
  for (std::size_t step : {2u, 3u, 7u, 13u, 64u}) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = step; i < stream.size(); i += step) cuts.push_back(i);
    EXPECT_EQ(test::describe(feed(stream, cuts)), test::describe(expected)) << "step " << step;
  }
}

TEST(RequestParser, ConsumedIsExactlyTheRequest) {
  RequestParser p;
  const std::string two = "*1\r\n$4\r\nPING\r\nECHO hi\r\n";
  ParseResult r = p.parse(two);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, 14u);
  EXPECT_FALSE(p.last_was_inline());
  r = p.parse(std::string_view(two).substr(14));
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, 9u);
  EXPECT_TRUE(p.last_was_inline());
  ASSERT_EQ(p.args().size(), 2u);
  EXPECT_EQ(p.args()[1], "hi");
}

TEST(RequestParser, MultibulkArgsViewTheInput) {
  RequestParser p;
  const std::string frame = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  ASSERT_EQ(p.parse(frame).status, ParseStatus::complete);
  ASSERT_EQ(p.args().size(), 2u);
  EXPECT_EQ(p.args()[0].data(), frame.data() + 8);
  EXPECT_EQ(p.args()[1].data(), frame.data() + 17);
}

TEST(RequestParser, NeedMoreConsumesNothingAndResumesAfterTheBufferMoved) {
  RequestParser p;
  std::string frame = "*2\r\n$3\r\nGET\r\n$3\r\nke";
  ParseResult r = p.parse(frame);
  EXPECT_EQ(r.status, ParseStatus::need_more);
  EXPECT_EQ(r.consumed, 0u);
  std::string moved = frame + "y\r\n";  // other storage, same leading bytes
  frame.assign(frame.size(), 'X');      // the old storage is now garbage
  r = p.parse(moved);
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, moved.size());
  EXPECT_EQ(p.args()[0], "GET");
  EXPECT_EQ(p.args()[1], "key");
}

TEST(RequestParser, BigBulkFedInSmallPieces) {
  const std::string payload(3 * 1024 * 1024 + 7, 'x');
  const std::string frame =
      "*2\r\n$3\r\nSET\r\n$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n";
  RequestParser p;
  std::string buffer;
  std::size_t calls = 0;
  ParseResult r{ParseStatus::need_more, 0, {}};
  for (std::size_t at = 0; at < frame.size(); at += 1000) {
    buffer.append(frame, at, 1000);
    r = p.parse(buffer);
    ++calls;
    if (r.status != ParseStatus::need_more) break;
  }
  ASSERT_EQ(r.status, ParseStatus::complete);
  EXPECT_EQ(r.consumed, frame.size());
  EXPECT_EQ(p.args()[1].size(), payload.size());
  EXPECT_GT(calls, 3000u);
}

TEST(RequestParser, ResetForgetsProgress) {
  RequestParser p;
  EXPECT_EQ(p.parse("*2\r\n$3\r\nGET\r\n").status, ParseStatus::need_more);
  p.reset();
  ASSERT_EQ(p.parse("PING\r\n").status, ParseStatus::complete);
  ASSERT_EQ(p.args().size(), 1u);
  EXPECT_EQ(p.args()[0], "PING");
}

struct BadCase {
  std::string stream;
  std::string error;
};

TEST(RequestParser, MalformedFramesAnyChunking) {
  const std::string dollar = "Protocol error: expected '$', got ";
  const std::string mbulk = "Protocol error: invalid multibulk length";
  const std::string bulk = "Protocol error: invalid bulk length";
  const std::string crlf = "Protocol error: expected CRLF after bulk";
  const std::string quotes = "Protocol error: unbalanced quotes in request";
  const std::vector<BadCase> cases = {
      {"*1\r\nx", dollar + "'x'"},
      {"*1\r\n:1\r\n", dollar + "':'"},
      {"*2\r\n$1\r\na\r\n\r\n", dollar + "'\\x0d'"},
      {"*1\r\n\xff", dollar + "'\\xff'"},
      {"*-2\r\n", mbulk},
      {"*-1x", mbulk},
      {"*-10\r\n", mbulk},
      {"*abc\r\n", mbulk},
      {"*+1\r\n", mbulk},
      {"*01\r\n", mbulk},
      {"*\r\n", mbulk},
      {"* 1\r\n", mbulk},
      {"*1 \r\n", mbulk},
      {"*1\n$4\nPING\n", mbulk},
      {"*1\r\r", mbulk},
      {"*99999999999999999999999999\r\n", mbulk},
      {"*1048577\r\n", mbulk},  // > max_array
      {"*1\r\n$-1\r\n", bulk},
      {"*1\r\n$-0\r\n", bulk},
      {"*1\r\n$abc\r\n", bulk},
      {"*1\r\n$+3\r\nabc\r\n", bulk},
      {"*1\r\n$03\r\nabc\r\n", bulk},
      {"*1\r\n$3 \r\nabc\r\n", bulk},
      {"*1\r\n$\r\n", bulk},
      {"*1\r\n$3\nabc\r\n", bulk},
      {"*1\r\n$9999999999\r\n", bulk},  // > max_bulk
      {"*1\r\n$536870913\r\n", bulk},
      {"*1\r\n$99999999999999999999999\r\n", bulk},
      {"*1\r\n$3\r\nabcXY", crlf},
      {"*1\r\n$3\r\nabc\rX", crlf},
      {"*1\r\n$3\r\nabc\n\r", crlf},
      {"*1\r\n$0\r\n\n", crlf},
      {"set \"abc\n", quotes},
      {"set 'abc\r\n", quotes},
      {"set \"a\"b\n", quotes},
      {"set 'a'b\n", quotes},
      {"set \"abc\\\"\n", quotes},
      {"set a\0b\n"s, "Protocol error: NUL byte in inline request"},
      {"\0\n"s, "Protocol error: NUL byte in inline request"},
  };
  for (const BadCase& c : cases) expect_all_cuts(c.stream, error(c.error));

  // The error comes after the requests before it.
  Outcome after = complete({"PING"});
  after.events.push_back({false, "", {"PING"}});
  after.events.push_back({true, mbulk, {}});
  expect_all_cuts("PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n", after);
}

TEST(RequestParser, LengthsAtTheirLimitsAreAccepted) {
  // The limits are the largest sizes accepted: exactly at the limit waits for data.
  expect_all_cuts("*1048576\r\n", need_more(10));
  expect_all_cuts("*1\r\n$536870912\r\n", need_more(16));
  expect_all_cuts("*1\r\n$9223372036854775807", error("Protocol error: invalid bulk length"));
}

TEST(RequestParser, InlineLineLimit) {
  Limits l;
  l.max_inline = 8;
  const std::string too_big = "Protocol error: too big inline request";
  expect_all_cuts("abcdefgh\r\n", complete({"abcdefgh"}), l);
  expect_all_cuts("abcdefgh\n", complete({"abcdefgh"}), l);
  expect_all_cuts("abcdefgh\r", need_more(9), l);  // the '\r' may start the ending
  expect_all_cuts("abcdefgh", need_more(8), l);
  expect_all_cuts("abcdefghi\n", error(too_big), l);
  expect_all_cuts("abcdefgh\r\r\n", error(too_big), l);
  // No newline yet, but already too long: refused without waiting for one.
  expect_all_cuts("abcdefghij", error(too_big), l);
  expect_all_cuts("abcdefgh\rx", error(too_big), l);
  // Length is checked before NUL bytes and quotes, however the line arrives.
  expect_all_cuts("\"\0cdefghij\n"s, error(too_big), l);
}

TEST(RequestParser, DefaultInlineLimitWithoutNewline) {
  const std::string line(64 * 1024, 'a');
  EXPECT_EQ(test::describe(feed_whole(line)), test::describe(need_more(line.size())));
  EXPECT_EQ(test::describe(feed_whole(line + "b")),
            test::describe(error("Protocol error: too big inline request")));
  EXPECT_EQ(test::describe(feed_whole(line + "\r\n")), test::describe(complete({line})));
}

TEST(RequestParser, RequestSizeLimit) {
  Limits l;
  l.max_request = 19;
  const std::string too_big = "Protocol error: too big request";
  expect_all_cuts("*1\r\n$9\r\n012345678\r\n", complete({"012345678"}), l);  // 19 bytes
  expect_all_cuts("*1\r\n$10\r\n0123456789\r\n", error(too_big), l);         // 21 bytes
  expect_all_cuts("*1\r\n$100\r\n0123456789012345", error(too_big), l);      // while incomplete
  expect_all_cuts("012345678901234567\n", complete({"012345678901234567"}), l);
  expect_all_cuts("0123456789012345678\n", error(too_big), l);
  expect_all_cuts("0123456789012345678", need_more(19), l);
  // A pipelined second request does not count against the first.
  expect_all_cuts("*1\r\n$9\r\n012345678\r\n*1\r\n$4\r\nPING\r\n",
                  Outcome{{Event{false, "", {"012345678"}}, Event{false, "", {"PING"}}}, 0}, l);
}

TEST(RequestParser, PreAuthLimits) {
  const Limits l = Limits::pre_auth();
  const std::string mbulk = "Protocol error: invalid multibulk length";
  const std::string bulk = "Protocol error: invalid bulk length";
  expect_all_cuts("*10\r\n", need_more(5), l);
  expect_all_cuts("*11\r\n", error(mbulk), l);
  expect_all_cuts("*1000000\r\n", error(mbulk), l);
  expect_all_cuts("*1\r\n$16384\r\n", need_more(12), l);
  expect_all_cuts("*1\r\n$16385\r\n", error(bulk), l);
  // max_array counts inline words too.
  expect_all_cuts("1 2 3 4 5 6 7 8 9 10\r\n",
                  complete({"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}), l);
  expect_all_cuts("1 2 3 4 5 6 7 8 9 10 11\r\n",
                  error("Protocol error: too many arguments in request"), l);
  // Inline lines over 16 KiB: the request limit (also 16 KiB) is met first.
  EXPECT_EQ(test::describe(feed_whole(std::string(16 * 1024 + 1, 'a'), l)),
            test::describe(error("Protocol error: too big request")));
  EXPECT_EQ(test::describe(feed_whole(std::string(16 * 1024, 'a') + "\r\n", l)),
            test::describe(error("Protocol error: too big request")));
  EXPECT_EQ(test::describe(feed_whole(std::string(16 * 1024 - 2, 'a') + "\r\n", l)),
            test::describe(complete({std::string(16 * 1024 - 2, 'a')})));

  // Many bulks each under max_bulk, together over 16 KiB.
  std::string big = "*2\r\n";
  for (int i = 0; i < 2; ++i) big += "$9000\r\n" + std::string(9000, 'x') + "\r\n";
  EXPECT_EQ(test::describe(feed_whole(big, l)),
            test::describe(error("Protocol error: too big request")));
  EXPECT_EQ(test::describe(feed(big, {100, 9000, 17000}, l)),
            test::describe(error("Protocol error: too big request")));
  // A 16 KiB request as sent, framing included, is the largest accepted.
  const std::string exact = "*1\r\n$16370\r\n" + std::string(16370, 'y') + "\r\n";
  ASSERT_EQ(exact.size(), 16u * 1024);
  EXPECT_EQ(test::describe(feed_whole(exact, l)),
            test::describe(complete({std::string(16370, 'y')})));
  EXPECT_EQ(test::describe(feed_whole(exact + "*1\r\n$4\r\nPING\r\n", l)),
            test::describe(Outcome{
                {Event{false, "", {std::string(16370, 'y')}}, Event{false, "", {"PING"}}}, 0}));
  const std::string over = "*1\r\n$16371\r\n" + std::string(16371, 'y') + "\r\n";
  EXPECT_EQ(test::describe(feed_whole(over, l)),
            test::describe(error("Protocol error: too big request")));
}

TEST(RequestParser, ErrorMessagesAreStatic) {
  std::string_view msg;
  {
    RequestParser p;
    std::string frame = "*1\r\n#";
    msg = p.parse(frame).error;
  }
  EXPECT_EQ(msg, "Protocol error: expected '$', got '#'");
}

}  // namespace
}  // namespace procshare::protocol

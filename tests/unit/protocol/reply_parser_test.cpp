// ReplyParser: every RESP2/RESP3 type, any chunking, round trips of the
// writer's output, attributes, limits and malformed replies.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "feed.hpp"
#include "procshare/protocol/reply.hpp"
#include "procshare/protocol/reply_writer.hpp"

namespace procshare::protocol {
namespace {

using namespace std::string_literals;
using test::feed_replies;
using Lines = std::vector<std::string>;

// Feeds `stream` whole, byte by byte and split at every offset; all must agree.
Lines parse_all_cuts(const std::string& stream, std::size_t max_depth = 64,
                     std::size_t max_bulk = 512u * 1024 * 1024) {
  const Lines whole = feed_replies(stream, {}, max_depth, max_bulk);
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < stream.size(); ++i) bytewise.push_back(i);
  EXPECT_EQ(feed_replies(stream, bytewise, max_depth, max_bulk), whole) << stream;
  for (std::size_t cut = 1; cut < stream.size(); ++cut) {
    EXPECT_EQ(feed_replies(stream, {cut}, max_depth, max_bulk), whole) << stream << " @" << cut;
  }
  return whole;
}

struct Case {
  std::string bytes;
  std::string rendered;
};

TEST(ReplyParser, EveryType) {
  const std::vector<Case> cases = {
      {"+OK\r\n", "simple(OK)"},
      {"+\r\n", "simple()"},
      {"-ERR unknown command\r\n", "error(ERR unknown command)"},
      {":0\r\n", "int(0)"},
      {":-9223372036854775808\r\n", "int(-9223372036854775808)"},
      {":+5\r\n", "int(5)"},
      {"$5\r\nhello\r\n", "bulk(hello)"},
      {"$0\r\n\r\n", "bulk()"},
      {"$4\r\na\r\nb\r\n", "bulk(a\r\nb)"},
      {"$-1\r\n", "null"},
      {"*-1\r\n", "null"},
      {"_\r\n", "null"},
      {"*0\r\n", "array()"},
      {"*2\r\n:1\r\n$1\r\nx\r\n", "array(int(1) bulk(x) )"},
      {"*2\r\n*1\r\n+a\r\n*0\r\n", "array(array(simple(a) ) array() )"},
      {"%1\r\n+k\r\n:1\r\n", "map(simple(k) int(1) )"},
      {"%0\r\n", "map()"},
      {"~2\r\n+a\r\n+b\r\n", "set(simple(a) simple(b) )"},
      {">2\r\n+message\r\n+hi\r\n", "push(simple(message) simple(hi) )"},
      {"#t\r\n", "true"},
      {"#f\r\n", "false"},
      {",3.14\r\n", "double(3.14)"},
      {",inf\r\n", "double(inf)"},
      {",-inf\r\n", "double(-inf)"},
      {",nan\r\n", "double(nan)"},
      {",1e+300\r\n", "double(1e+300)"},
      {"(3492890328409238509324850943850943825024385\r\n",
       "bignum(3492890328409238509324850943850943825024385)"},
      {"=15\r\ntxt:Some string\r\n", "verbatim(Some string)"},
      {"=4\r\nmkd:\r\n", "verbatim()"},
      {"!21\r\nSYNTAX invalid syntax\r\n", "error(SYNTAX invalid syntax)"},
      // Attributes are skipped, at the top and inside aggregates.
      {"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.19\r\n$1\r\nb\r\n,0.01\r\n*2\r\n:2\r\n:3\r\n",
       "array(int(2) int(3) )"},
      {"*2\r\n|1\r\n+ttl\r\n:3600\r\n:1\r\n:2\r\n", "array(int(1) int(2) )"},
      {"|0\r\n+OK\r\n", "simple(OK)"},
      // An attribute whose value holds another attribute, then the element.
      {"*1\r\n|1\r\n+a\r\n*1\r\n|1\r\n+b\r\n+c\r\n:1\r\n:2\r\n", "array(int(2) )"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_all_cuts(c.bytes), Lines{c.rendered}) << c.bytes;
  }
}

TEST(ReplyParser, Values) {
  ReplyParser p;
  Reply r;
  std::size_t consumed = 0;
  ASSERT_EQ(p.parse(",-2.5\r\n+next", &r, &consumed), ReplyStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::dbl);
  EXPECT_EQ(r.dbl, -2.5);
  EXPECT_EQ(consumed, 7u);
  ASSERT_EQ(p.parse(",nan\r\n", &r, &consumed), ReplyStatus::complete);
  EXPECT_TRUE(std::isnan(r.dbl));
  ASSERT_EQ(p.parse("#t\r\n", &r, &consumed), ReplyStatus::complete);
  EXPECT_EQ(r.type, Reply::Type::boolean);
  EXPECT_EQ(r.integer, 1);
  ASSERT_EQ(p.parse(":-12\r\n", &r, &consumed), ReplyStatus::complete);
  EXPECT_EQ(r.integer, -12);
  EXPECT_EQ(p.parse("*2\r\n:1\r\n", &r, &consumed), ReplyStatus::need_more);
}

TEST(ReplyParser, ErrorCodeAndMessage) {
  Reply r;
  r.type = Reply::Type::error;
  r.str = "WRONGTYPE Operation against an object of another type";
  EXPECT_TRUE(r.is_error());
  EXPECT_EQ(r.error_code(), "WRONGTYPE");
  EXPECT_EQ(r.error_message(), "Operation against an object of another type");
  r.str = "EMPTY";
  EXPECT_EQ(r.error_code(), "EMPTY");
  EXPECT_EQ(r.error_message(), "");
  r.type = Reply::Type::simple;
  EXPECT_FALSE(r.is_error());
  EXPECT_EQ(r.error_code(), "");
}

TEST(ReplyParser, Pipelined) {
  const std::string stream = "+OK\r\n:1\r\n*2\r\n$1\r\na\r\n_\r\n-ERR x\r\n%1\r\n#t\r\n#f\r\n";
  EXPECT_EQ(parse_all_cuts(stream), (Lines{"simple(OK)", "int(1)", "array(bulk(a) null )",
                                           "error(ERR x)", "map(true false )"}));
  EXPECT_EQ(parse_all_cuts("+OK\r\n:1"), (Lines{"simple(OK)", "partial 2"}));
}

// Writes the same structure in RESP2 and RESP3 and parses it back.
void write_sample(ReplyWriter& w) {
  w.array(9);
  w.ok();
  w.integer(-5);
  w.bulk("v\r\n");
  w.null();
  w.boolean(true);
  w.floating(0.25);
  w.map(2);
  w.bulk("k1");
  w.set(1);
  w.bulk("m");
  w.bulk("k2");
  w.null_array();
  w.verbatim("info");
  w.error("NOTFOUND", "no such object");
}

TEST(ReplyParser, RoundTripsWriterOutput) {
  std::string resp2, resp3;
  ReplyWriter w2(resp2, 2), w3(resp3, 3);
  write_sample(w2);
  write_sample(w3);
  EXPECT_EQ(parse_all_cuts(resp2),
            Lines{"array(simple(OK) int(-5) bulk(v\r\n) null int(1) bulk(0.25) "
                  "array(bulk(k1) array(bulk(m) ) bulk(k2) null ) bulk(info) "
                  "error(NOTFOUND no such object) )"});
  EXPECT_EQ(parse_all_cuts(resp3),
            Lines{"array(simple(OK) int(-5) bulk(v\r\n) null true double(0.25) "
                  "map(bulk(k1) set(bulk(m) ) bulk(k2) null ) verbatim(info) "
                  "error(NOTFOUND no such object) )"});
}

TEST(ReplyParser, DoublesRoundTripExactly) {
  for (double d : {1.0 / 3, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, -0.0, 1e21}) {
    std::string out;
    ReplyWriter w(out, 3);
    w.floating(d);
    ReplyParser p;
    Reply r;
    std::size_t consumed = 0;
    ASSERT_EQ(p.parse(out, &r, &consumed), ReplyStatus::complete) << out;
    EXPECT_EQ(r.dbl, d) << out;
    EXPECT_EQ(std::signbit(r.dbl), std::signbit(d)) << out;
  }
}

std::string nested(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += "*1\r\n";
  return s + ":7\r\n";
}

TEST(ReplyParser, NestingLimit) {
  const std::string deep = "ERROR Protocol error: reply nested too deeply";
  EXPECT_EQ(feed_replies(nested(64), {}).size(), 1u);
  EXPECT_NE(feed_replies(nested(64), {})[0], deep);
  EXPECT_EQ(feed_replies(nested(65), {}), Lines{deep});
  EXPECT_EQ(parse_all_cuts(nested(2), 2), Lines{"array(array(int(7) ) )"});
  EXPECT_EQ(parse_all_cuts(nested(3), 2), Lines{deep});
  EXPECT_EQ(parse_all_cuts("%1\r\n+k\r\n*1\r\n*1\r\n:1\r\n", 2), Lines{deep});
  EXPECT_EQ(parse_all_cuts("*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n", 1), Lines{deep});
  // Empty aggregates do not nest anything.
  EXPECT_EQ(parse_all_cuts("*1\r\n*0\r\n", 1), Lines{"array(array() )"});
  // A very deep reply is refused early, and one within a raised limit is
  // built without recursion.
  EXPECT_EQ(feed_replies(nested(100000), {}), Lines{deep});
  ReplyParser p(20000);
  Reply r;
  std::size_t consumed = 0;
  const std::string deep_ok = nested(10000);
  ASSERT_EQ(p.parse(deep_ok, &r, &consumed), ReplyStatus::complete);
  EXPECT_EQ(consumed, deep_ok.size());
  std::size_t depth = 0;
  const Reply* at = &r;
  while (at->type == Reply::Type::array) {
    ++depth;
    at = &at->elements.at(0);
  }
  EXPECT_EQ(depth, 10000u);
  EXPECT_EQ(at->integer, 7);
}

TEST(ReplyParser, BulkLimit) {
  const std::string bulk = "ERROR Protocol error: invalid bulk length";
  EXPECT_EQ(parse_all_cuts("$5\r\nhello\r\n", 64, 5), Lines{"bulk(hello)"});
  EXPECT_EQ(parse_all_cuts("$6\r\nhello!\r\n", 64, 5), Lines{bulk});
  EXPECT_EQ(parse_all_cuts("$9999999999999\r\n"), Lines{bulk});
  EXPECT_EQ(parse_all_cuts("=10\r\ntxt:abcdef\r\n", 64, 5), Lines{bulk});
}

TEST(ReplyParser, Malformed) {
  const std::vector<Case> cases = {
      {"?x\r\n", "Protocol error: invalid reply type byte"},
      {"+OK\n", "Protocol error: expected CRLF"},
      {"\n", "Protocol error: invalid reply type byte"},
      {":abc\r\n", "Protocol error: invalid integer"},
      {":\r\n", "Protocol error: invalid integer"},
      {":+-1\r\n", "Protocol error: invalid integer"},
      {":99999999999999999999\r\n", "Protocol error: invalid integer"},
      {"$3\r\nabcd\r\n", "Protocol error: expected CRLF after bulk"},
      {"$3\r\nabc\rx", "Protocol error: expected CRLF after bulk"},
      {"$-2\r\n", "Protocol error: invalid bulk length"},
      {"$x\r\n", "Protocol error: invalid bulk length"},
      {"$?\r\n", "Protocol error: invalid bulk length"},
      {"=-1\r\n", "Protocol error: invalid bulk length"},
      {"=3\r\ntxt\r\n", "Protocol error: invalid verbatim string"},
      {"=4\r\ntxt;\r\n", "Protocol error: invalid verbatim string"},
      {"*-2\r\n", "Protocol error: invalid multibulk length"},
      {"*?\r\n", "Protocol error: invalid multibulk length"},
      {"|-1\r\n", "Protocol error: invalid multibulk length"},
      {"%9223372036854775807\r\n", "Protocol error: invalid multibulk length"},
      {"#x\r\n", "Protocol error: invalid boolean"},
      {"#tt\r\n", "Protocol error: invalid boolean"},
      {"_x\r\n", "Protocol error: invalid null"},
      {",abc\r\n", "Protocol error: invalid double"},
      {",\r\n", "Protocol error: invalid double"},
      {",infinity\r\n", "Protocol error: invalid double"},
      {",1.5x\r\n", "Protocol error: invalid double"},
      {"*2\r\n:1\r\n?\r\n", "Protocol error: invalid reply type byte"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(parse_all_cuts(c.bytes), Lines{"ERROR " + c.rendered}) << c.bytes;
  }
}

TEST(ReplyParser, TooLongLineIsRefused) {
  EXPECT_EQ(feed_replies("+" + std::string(100, 'a'), {}, 64, 50),
            Lines{"ERROR Protocol error: too big reply line"});
  EXPECT_EQ(feed_replies("+" + std::string(40, 'a'), {}, 64, 50), Lines{"partial 41"});
  // The same answer whether or not the line's end has arrived.
  EXPECT_EQ(parse_all_cuts("+" + std::string(60, 'a') + "\r\n", 64, 50),
            Lines{"ERROR Protocol error: too big reply line"});
  EXPECT_EQ(parse_all_cuts("$1" + std::string(60, '0') + "\r\n", 64, 50),
            Lines{"ERROR Protocol error: too big reply line"});
  EXPECT_EQ(parse_all_cuts("+" + std::string(50, 'a') + "\r\n", 64, 50),
            Lines{"simple(" + std::string(50, 'a') + ")"});
}

TEST(ReplyParser, BigReplyInSmallPieces) {
  std::string stream;
  ReplyWriter w(stream, 3);
  w.array(20000);
  for (int i = 0; i < 20000; ++i) w.bulk("element-" + std::to_string(i));
  std::vector<std::size_t> cuts;
  for (std::size_t i = 100; i < stream.size(); i += 100) cuts.push_back(i);
  ReplyParser p;
  std::string buffer;
  Reply r;
  std::size_t consumed = 0;
  std::size_t from = 0;
  ReplyStatus s = ReplyStatus::need_more;
  for (std::size_t to : cuts) {
    buffer.append(stream, from, to - from);
    from = to;
    ASSERT_EQ(p.parse(buffer, &r, &consumed), ReplyStatus::need_more);
  }
  buffer.append(stream, from);
  s = p.parse(buffer, &r, &consumed);
  ASSERT_EQ(s, ReplyStatus::complete);
  EXPECT_EQ(consumed, stream.size());
  ASSERT_EQ(r.elements.size(), 20000u);
  EXPECT_EQ(r.elements[19999].str, "element-19999");
}

}  // namespace
}  // namespace procshare::protocol

// ReplyWriter: the exact bytes of every reply type in RESP2 and RESP3.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <limits>
#include <string>

#include "procshare/protocol/reply_writer.hpp"

namespace procshare::protocol {
namespace {

using namespace std::string_literals;

struct WriterCase {
  const char* name;
  std::function<void(ReplyWriter&)> write;
  std::string resp2;
  std::string resp3;
};

TEST(ReplyWriter, EveryTypeInBothVersions) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<WriterCase> cases = {
      {"ok", [](ReplyWriter& w) { w.ok(); }, "+OK\r\n", "+OK\r\n"},
      {"simple", [](ReplyWriter& w) { w.simple("PONG"); }, "+PONG\r\n", "+PONG\r\n"},
      {"simple crlf", [](ReplyWriter& w) { w.simple("a\r\nb"); }, "+a  b\r\n", "+a  b\r\n"},
      {"error", [](ReplyWriter& w) { w.error("WRONGTYPE", "wrong kind"); },
       "-WRONGTYPE wrong kind\r\n", "-WRONGTYPE wrong kind\r\n"},
      {"error no msg", [](ReplyWriter& w) { w.error("EMPTY", ""); }, "-EMPTY\r\n", "-EMPTY\r\n"},
      {"error crlf", [](ReplyWriter& w) { w.error("ERR", "bad\r\nline"); }, "-ERR bad  line\r\n",
       "-ERR bad  line\r\n"},
      {"error_line", [](ReplyWriter& w) { w.error_line("ERR Protocol error: x"); },
       "-ERR Protocol error: x\r\n", "-ERR Protocol error: x\r\n"},
      {"error_line dash", [](ReplyWriter& w) { w.error_line("-ERR x"); }, "-ERR x\r\n",
       "-ERR x\r\n"},
      {"integer", [](ReplyWriter& w) { w.integer(42); }, ":42\r\n", ":42\r\n"},
      {"integer 0", [](ReplyWriter& w) { w.integer(0); }, ":0\r\n", ":0\r\n"},
      {"integer neg", [](ReplyWriter& w) { w.integer(-7); }, ":-7\r\n", ":-7\r\n"},
      {"integer min", [](ReplyWriter& w) { w.integer(INT64_MIN); }, ":-9223372036854775808\r\n",
       ":-9223372036854775808\r\n"},
      {"integer max", [](ReplyWriter& w) { w.integer(INT64_MAX); }, ":9223372036854775807\r\n",
       ":9223372036854775807\r\n"},
      {"bulk", [](ReplyWriter& w) { w.bulk("hello"); }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
      {"bulk empty", [](ReplyWriter& w) { w.bulk(""); }, "$0\r\n\r\n", "$0\r\n\r\n"},
      {"bulk binary", [](ReplyWriter& w) { w.bulk("a\r\n\0"s); }, "$4\r\na\r\n\0\r\n"s,
       "$4\r\na\r\n\0\r\n"s},
      {"null", [](ReplyWriter& w) { w.null(); }, "$-1\r\n", "_\r\n"},
      {"null_array", [](ReplyWriter& w) { w.null_array(); }, "*-1\r\n", "_\r\n"},
      {"true", [](ReplyWriter& w) { w.boolean(true); }, ":1\r\n", "#t\r\n"},
      {"false", [](ReplyWriter& w) { w.boolean(false); }, ":0\r\n", "#f\r\n"},
      {"double", [](ReplyWriter& w) { w.floating(1.5); }, "$3\r\n1.5\r\n", ",1.5\r\n"},
      {"double int", [](ReplyWriter& w) { w.floating(3.0); }, "$3\r\n3.0\r\n", ",3\r\n"},
      {"double inf", [=](ReplyWriter& w) { w.floating(inf); }, "$3\r\ninf\r\n", ",inf\r\n"},
      {"double -inf", [=](ReplyWriter& w) { w.floating(-inf); }, "$4\r\n-inf\r\n", ",-inf\r\n"},
      {"double nan", [](ReplyWriter& w) { w.floating(std::nan("")); }, "$3\r\nnan\r\n", ",nan\r\n"},
      {"array",
       [](ReplyWriter& w) {
         w.array(2);
         w.integer(1);
         w.bulk("x");
       },
       "*2\r\n:1\r\n$1\r\nx\r\n", "*2\r\n:1\r\n$1\r\nx\r\n"},
      {"array empty", [](ReplyWriter& w) { w.array(0); }, "*0\r\n", "*0\r\n"},
      {"map",
       [](ReplyWriter& w) {
         w.map(1);
         w.bulk("k");
         w.integer(1);
       },
       "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
      {"map empty", [](ReplyWriter& w) { w.map(0); }, "*0\r\n", "%0\r\n"},
      {"set",
       [](ReplyWriter& w) {
         w.set(1);
         w.bulk("m");
       },
       "*1\r\n$1\r\nm\r\n", "~1\r\n$1\r\nm\r\n"},
      {"verbatim", [](ReplyWriter& w) { w.verbatim("# Server\r\n"); }, "$10\r\n# Server\r\n\r\n",
       "=14\r\ntxt:# Server\r\n\r\n"},
  };
  for (const WriterCase& c : cases) {
    for (int resp : {2, 3}) {
      std::string out;
      ReplyWriter w(out, resp);
      c.write(w);
      EXPECT_EQ(out, resp == 2 ? c.resp2 : c.resp3) << c.name << " RESP" << resp;
    }
  }
}

TEST(ReplyWriter, AppendsAndSwitchesVersion) {
  std::string out = "before|";
  ReplyWriter w(out);
  EXPECT_EQ(w.resp(), 2);
  w.null();
  w.set_resp(3);
  EXPECT_EQ(w.resp(), 3);
  w.null();
  EXPECT_EQ(out, "before|$-1\r\n_\r\n");
  std::string other;
  w.rebind(other);
  w.ok();
  EXPECT_EQ(other, "+OK\r\n");
  EXPECT_EQ(&w.buffer(), &other);
}

TEST(ReplyWriter, FormatDoubleIsShortestRoundTrip) {
  EXPECT_EQ(ReplyWriter::format_double(0.1), "0.1");
  EXPECT_EQ(ReplyWriter::format_double(3.0), "3");
  EXPECT_EQ(ReplyWriter::format_double(-2.5), "-2.5");
  EXPECT_EQ(ReplyWriter::format_double(0.0), "0");
  EXPECT_EQ(ReplyWriter::format_double(-0.0), "-0");
  EXPECT_EQ(ReplyWriter::format_double(1e300), "1e+300");
  EXPECT_EQ(ReplyWriter::format_double(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(ReplyWriter::format_double(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(ReplyWriter::format_double(std::nan("")), "nan");
  EXPECT_EQ(ReplyWriter::format_double(-std::nan("")), "nan");
  for (double d : {1.0 / 3, 2.0 / 3, 0.1 + 0.2, 1e-310, 5e-324, 1.7976931348623157e308,
                   -2.2250738585072014e-308, 123456789.123456789}) {
    const std::string s = ReplyWriter::format_double(d);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), d) << s;
    EXPECT_LE(s.size(), 24u) << s;
  }
}

}  // namespace
}  // namespace procshare::protocol

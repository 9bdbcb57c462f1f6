// split_inline_args against the behaviour of Redis's sdssplitargs.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "feed.hpp"
#include "procshare/protocol/request_parser.hpp"

namespace procshare::protocol {
namespace {

using namespace std::string_literals;

std::optional<std::vector<std::string>> split(std::string_view line) {
  std::string storage = "left over";
  std::vector<std::size_t> ends = {1, 2, 3};
  if (!split_inline_args(line, storage, ends)) return std::nullopt;
  std::vector<std::string> words;
  std::size_t begin = 0;
  for (std::size_t end : ends) {
    words.push_back(storage.substr(begin, end - begin));
    begin = end;
  }
  EXPECT_EQ(begin, storage.size());
  return words;
}

using Words = std::vector<std::string>;

TEST(InlineSplit, PlainWords) {
  EXPECT_EQ(split(""), Words{});
  EXPECT_EQ(split("   \t "), Words{});
  EXPECT_EQ(split("PING"), Words{"PING"});
  EXPECT_EQ(split("set key value"), (Words{"set", "key", "value"}));
  EXPECT_EQ(split("  set\t\tkey  value  "), (Words{"set", "key", "value"}));
  EXPECT_EQ(split("a\r\nb"), (Words{"a", "b"}));
  // \v and \f are blanks between words but do not end an unquoted word.
  EXPECT_EQ(split("\va\vb\f"), (Words{"a\vb\f"}));
}

TEST(InlineSplit, DoubleQuotes) {
  EXPECT_EQ(split("set \"foo bar\" baz"), (Words{"set", "foo bar", "baz"}));
  EXPECT_EQ(split("\"\""), Words{""});
  EXPECT_EQ(split("\"\" \"\""), (Words{"", ""}));
  EXPECT_EQ(split(R"("a\"b")"), Words{"a\"b"});
  EXPECT_EQ(split(R"("a\\b")"), Words{"a\\b"});
  EXPECT_EQ(split(R"("\n\r\t\b\a")"), Words{"\n\r\t\b\a"});
  EXPECT_EQ(split(R"("\q\'")"), Words{"q'"});  // any other escaped byte is itself
  EXPECT_EQ(split(R"("\x41\x62\x7A\x00\xff")"), Words{"Abz\0\xff"s});
  EXPECT_EQ(split(R"("\x4")"), Words{"x4"});  // not two hex digits: \x is just x
  EXPECT_EQ(split(R"("\xg1")"), Words{"xg1"});
  EXPECT_EQ(split("\"a b\"\t\"c\""), (Words{"a b", "c"}));
  EXPECT_EQ(split("\"a'b\""), Words{"a'b"});
  // A quote may open inside a word.
  EXPECT_EQ(split("foo\"bar baz\" x"), (Words{"foobar baz", "x"}));
  EXPECT_EQ(split("\"line\nbreak\""), Words{"line\nbreak"});
}

TEST(InlineSplit, SingleQuotes) {
  EXPECT_EQ(split("'a b' c"), (Words{"a b", "c"}));
  EXPECT_EQ(split(R"('a\'b')"), Words{"a'b"});
  EXPECT_EQ(split(R"('a\\b')"), Words{"a\\\\b"});  // literal: both backslashes stay
  EXPECT_EQ(split(R"('\n\x41')"), Words{"\\n\\x41"});
  EXPECT_EQ(split("'a\"b'"), Words{"a\"b"});
  EXPECT_EQ(split("''"), Words{""});
}

TEST(InlineSplit, Unbalanced) {
  EXPECT_EQ(split("\"abc"), std::nullopt);
  EXPECT_EQ(split("'abc"), std::nullopt);
  EXPECT_EQ(split("set \"abc\\\""), std::nullopt);  // the quote is escaped
  EXPECT_EQ(split("\"abc\"def"), std::nullopt);     // closing quote glued to a byte
  EXPECT_EQ(split("'abc'def"), std::nullopt);
  EXPECT_EQ(split("\"abc\"\"def\""), std::nullopt);
  EXPECT_EQ(split("\""), std::nullopt);
  EXPECT_EQ(split("\"\\"), std::nullopt);
}

TEST(InlineSplit, EndsAtNulLikeACString) {
  EXPECT_EQ(split("a b\0c d"s), (Words{"a", "b"}));
  EXPECT_EQ(split("\"a\0b\""s), std::nullopt);
}

TEST(InlineSplit, QuotedWordsThroughTheParser) {
  RequestParser p;
  ASSERT_EQ(p.parse("hset h \"a \\\"b\\\"\" 'it\\'s'\r\n").status, ParseStatus::complete);
  ASSERT_EQ(p.args().size(), 4u);
  EXPECT_EQ(p.args()[2], "a \"b\"");
  EXPECT_EQ(p.args()[3], "it's");
  EXPECT_TRUE(p.last_was_inline());
}

}  // namespace
}  // namespace procshare::protocol

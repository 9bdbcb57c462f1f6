// Redis strings in process (issue 7): the mapping onto `value` objects,
// Redis's replies and error texts.
#include "data_test_util.hpp"

namespace procshare::test {
namespace {

constexpr std::string_view kWrongType = "Operation against a key holding the wrong kind of value";

TEST(RedisStrings, SetGetAndMissingKeysReadNil) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_null(h.call(c, {"GET", "k"})));
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "k", "v"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "k"}), "v"));
  EXPECT_EQ(h.call(c, {"TYPE", "k"}).str, "value");
  // An ordinary procshare value: VALUE.GET reads what SET wrote.
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "k"}), "v"));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "k"}), "v"));
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "bin", std::string("a\0b", 3)})));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "bin"}), std::string("a\0b", 3)));
}

TEST(RedisStrings, SetOptions) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_null(h.call(c, {"SET", "k", "1", "XX"})));
  EXPECT_TRUE(is_null(h.call(c, {"GET", "k"})));
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "k", "1", "NX"})));
  EXPECT_TRUE(is_null(h.call(c, {"SET", "k", "2", "nx"})));
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "k", "3", "XX"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"SET", "k", "4", "GET"}), "3"));
  EXPECT_TRUE(is_null(h.call(c, {"SET", "new", "x", "GET"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "new"}), "x"));
  EXPECT_TRUE(is_error(h.call(c, {"SET", "k", "v", "NX", "XX"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"SET", "k", "v", "BOGUS"}), "ERR"));
  for (std::string opt : {"EX", "PX", "EXAT", "PXAT", "KEEPTTL"}) {
    Reply r = h.call(c, {"SET", "k", "v", opt, "10"});
    EXPECT_TRUE(is_error(r, "ERR")) << opt;
    EXPECT_NE(r.error_message().find("do not expire"), std::string_view::npos) << r.str;
  }
  EXPECT_TRUE(is_error(h.call(c, {"SETEX", "k", "10", "v"}), "ERR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "k"}), "4"));  // refused options changed nothing
}

TEST(RedisStrings, WrongTypeHasRedisText) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"DICT.SET", "d", "f", "v"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"GET", "d"},
                                                        {"INCR", "d"},
                                                        {"APPEND", "d", "x"},
                                                        {"STRLEN", "d"},
                                                        {"GETSET", "d", "x"},
                                                        {"SET", "d", "x", "GET"},
                                                        {"INCRBYFLOAT", "d", "1"}}) {
    Reply r = h.call(c, cmd);
    EXPECT_TRUE(is_error(r, "WRONGTYPE")) << cmd[0];
    EXPECT_EQ(r.error_message(), kWrongType);
  }
  // MGET answers nil for a key of another type; SET replaces any type.
  Reply m = h.call(c, {"MGET", "d", "nothing"});
  ASSERT_EQ(m.elements.size(), 2u);
  EXPECT_TRUE(is_null(m.elements[0]));
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "d", "now a string"})));
  EXPECT_EQ(h.call(c, {"TYPE", "d"}).str, "value");
}

TEST(RedisStrings, IncrOnBytesDigitsAndTypedValues) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"INCR", "n"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"INCRBY", "n", "41"}), 42));
  EXPECT_TRUE(is_int(h.call(c, {"DECR", "n"}), 41));
  EXPECT_TRUE(is_int(h.call(c, {"DECRBY", "n", "-9"}), 50));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "n"}), "50"));
  // A new counter is a bytes value holding digits, as in Redis.
  Reply d = h.call(c, {"DESCRIBE", "n"});
  ASSERT_NE(field(d, "elemtype"), nullptr);
  EXPECT_EQ(field(d, "elemtype")->str, "bytes");
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "s", "10"})));
  EXPECT_TRUE(is_int(h.call(c, {"INCR", "s"}), 11));
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "s", "abc"})));
  Reply bad = h.call(c, {"INCR", "s"});
  EXPECT_TRUE(is_error(bad, "ERR"));
  EXPECT_EQ(bad.error_message(), "value is not an integer or out of range");
  EXPECT_EQ(h.call(c, {"INCRBY", "n", "x"}).error_message(),
            "value is not an integer or out of range");
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "big", "9223372036854775807"})));
  Reply over = h.call(c, {"INCR", "big"});
  EXPECT_TRUE(is_error(over, "ERR"));
  EXPECT_EQ(over.error_message(), "increment or decrement would overflow");
  EXPECT_TRUE(is_error(h.call(c, {"DECRBY", "n", "-9223372036854775808"}), "ERR"));

  // An int value (VALUE.INCRBY creates one) answers GET with its decimal text.
  h.call(c, {"VALUE.INCRBY", "iv", "7"});
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "iv"}), "7"));
  EXPECT_TRUE(is_int(h.call(c, {"INCR", "iv"}), 8));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "iv"}), 8));
  EXPECT_TRUE(is_int(h.call(c, {"STRLEN", "iv"}), 1));
  // SET of a number keeps it an int; SET of text makes it a bytes value.
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "iv", "100"})));
  EXPECT_TRUE(is_int(h.call(c, {"VALUE.GET", "iv"}), 100));
  EXPECT_TRUE(is_ok(h.call(c, {"SET", "iv", "hello"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "iv"}), "hello"));
  // A float value refuses INCR as Redis refuses "1.5".
  h.call(c, {"VALUE.INCRBYFLOAT", "fv", "1.5"});
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "fv"}), "1.5"));
  EXPECT_TRUE(is_error(h.call(c, {"INCR", "fv"}), "ERR"));
}

TEST(RedisStrings, IncrByFloat) {
  Harness h;
  for (int resp : {2, 3}) {
    auto& c = h.client(resp);
    h.call(c, {"DEL", "f"});
    // A bulk string in RESP3 too, as Redis replies.
    EXPECT_TRUE(is_bulk(h.call(c, {"INCRBYFLOAT", "f", "1.5"}), "1.5"));
    EXPECT_TRUE(is_bulk(h.call(c, {"INCRBYFLOAT", "f", "2"}), "3.5"));
    EXPECT_TRUE(is_bulk(h.call(c, {"GET", "f"}), "3.5"));
  }
  auto& c = h.client();
  EXPECT_EQ(h.call(c, {"INCRBYFLOAT", "f", "abc"}).error_message(), "value is not a valid float");
  EXPECT_EQ(h.call(c, {"INCRBYFLOAT", "g", "inf"}).error_message(),
            "increment would produce NaN or Infinity");
  EXPECT_EQ(h.call(c, {"EXISTS", "g"}).integer, 0);
  h.call(c, {"SET", "t", "x"});
  EXPECT_EQ(h.call(c, {"INCRBYFLOAT", "t", "1"}).error_message(), "value is not a valid float");
}

TEST(RedisStrings, AppendStrlenGetsetGetdel) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"APPEND", "a", "ab"}), 2));
  EXPECT_TRUE(is_int(h.call(c, {"APPEND", "a", "cd"}), 4));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "a"}), "abcd"));
  EXPECT_TRUE(is_int(h.call(c, {"STRLEN", "a"}), 4));
  EXPECT_TRUE(is_int(h.call(c, {"STRLEN", "none"}), 0));
  h.call(c, {"VALUE.INCRBY", "iv", "12"});
  EXPECT_TRUE(is_int(h.call(c, {"APPEND", "iv", "ab"}), 4));
  EXPECT_TRUE(is_bulk(h.call(c, {"VALUE.GET", "iv"}), "12ab"));
  EXPECT_TRUE(is_bulk(h.call(c, {"GETSET", "a", "new"}), "abcd"));
  EXPECT_TRUE(is_null(h.call(c, {"GETSET", "b", "first"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"GETDEL", "b"}), "first"));
  EXPECT_TRUE(is_null(h.call(c, {"GETDEL", "b"})));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "b"}), 0));
}

TEST(RedisStrings, MultiKeyCommands) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_ok(h.call(c, {"MSET", "a", "1", "b", "2"})));
  Reply r = h.call(c, {"MGET", "a", "missing", "b"});
  ASSERT_EQ(r.elements.size(), 3u);
  EXPECT_TRUE(is_bulk(r.elements[0], "1"));
  EXPECT_TRUE(is_null(r.elements[1]));
  EXPECT_TRUE(is_bulk(r.elements[2], "2"));
  Reply arity = h.call(c, {"MSET", "a", "1", "b"});
  EXPECT_TRUE(is_error(arity, "ERR"));
  EXPECT_EQ(arity.error_message(), "wrong number of arguments for 'mset' command");
  EXPECT_TRUE(is_int(h.call(c, {"MSETNX", "a", "9", "c", "3"}), 0));
  EXPECT_TRUE(is_null(h.call(c, {"GET", "c"})));
  EXPECT_TRUE(is_int(h.call(c, {"MSETNX", "c", "3", "d", "4"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"SETNX", "c", "x"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"SETNX", "e", "5"}), 1));
  EXPECT_TRUE(is_bulk(h.call(c, {"GET", "e"}), "5"));
}

}  // namespace
}  // namespace procshare::test

// ARRAY.* in process (PROTOCOL.md §5, §6): typed fixed-length arrays, their
// CREATE options, Python's index and slice rules, element type checks.
#include "data_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Array, NeverCreatedImplicitly) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.SET", "a", "0", "1"}), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.INCRBY", "a", "0", "1"}), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.GET", "a", "0"}), "NOTFOUND"));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "a"}), 0));
}

TEST(Array, CreateOptions) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "array", "a", "TYPE", "int", "LEN", "3"})));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "array", "b", "LEN", "2", "TYPE", "bytes"})));
  EXPECT_TRUE(
      is_ok(h.call(c, {"CREATE", "array", "f", "TYPE", "float", "INIT", "1.5", "-2", "3e2"})));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "array", "e", "TYPE", "int", "LEN", "0"})));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "array", "e2", "TYPE", "int", "INIT"})));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.LEN", "a"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.LEN", "b"}), 2));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.LEN", "f"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.LEN", "e"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.LEN", "e2"}), 0));
  EXPECT_EQ(h.call(c, {"TYPE", "a"}).str, "array");

  auto bad = [&](std::vector<std::string> opts, std::string_view code) {
    std::vector<std::string> cmd{"CREATE", "array", "x"};
    cmd.insert(cmd.end(), opts.begin(), opts.end());
    auto r = h.call(c, cmd);
    EXPECT_TRUE(is_error(r, code)) << cmd.back();
  };
  bad({}, "ERR");               // no default shape
  bad({"TYPE", "int"}, "ERR");  // no LEN or INIT
  bad({"LEN", "3"}, "ERR");     // no TYPE
  bad({"TYPE", "double", "LEN", "3"}, "ERR");
  bad({"TYPE", "int", "LEN", "x"}, "ERR");
  bad({"TYPE", "int", "LEN", "-1"}, "VALUEERROR");
  bad({"TYPE", "int", "LEN", "3", "INIT", "1"}, "ERR");
  bad({"INIT", "1", "TYPE", "int"}, "ERR");  // INIT comes last
  bad({"TYPE", "int", "INIT", "1", "x"}, "VALUEERROR");
  bad({"TYPE", "float", "INIT", "nan"}, "VALUEERROR");
  bad({"TYPE", "int", "LEN"}, "ERR");
  bad({"TYPE", "int", "LEN", "3", "LEN", "4"}, "ERR");
  bad({"TYPE", "int", "SIZE", "3"}, "ERR");
  bad({"TYPE", "int", "LEN", "100000000000"}, "LIMIT");  // before allocating
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "x"}), 0));
}

TEST(Array, ExistOkMatchesTypeAndLength) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"CREATE", "array", "a", "TYPE", "int", "INIT", "1", "2", "3"});
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "array", "a", "TYPE", "int", "LEN", "3", "EXISTOK"})));
  EXPECT_TRUE(
      is_ok(h.call(c, {"CREATE", "array", "a", "EXISTOK", "TYPE", "int", "INIT", "4", "5", "6"})));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.GET", "a", "0"}), 1));  // contents untouched
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "array", "a", "TYPE", "int", "LEN", "4", "EXISTOK"}),
                       "EXISTS"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "array", "a", "TYPE", "float", "LEN", "3", "EXISTOK"}),
                       "EXISTS"));
}

TEST(Array, IntElements) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"CREATE", "array", "a", "TYPE", "int", "LEN", "3"});
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.GET", "a", "0"}), 0));
  EXPECT_TRUE(is_ok(h.call(c, {"ARRAY.SET", "a", "-1", "42"})));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.GET", "a", "2"}), 42));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.SET", "a", "0", "4.2"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.SET", "a", "0", "x"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.SET", "a", "3", "1"}), "INDEXERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.GET", "a", "-4"}), "INDEXERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.GET", "a", "zero"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.INCRBY", "a", "-1", "-50"}), -8));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.INCRBY", "a", "0", "0.5"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.INCRBY", "a", "5", "1"}), "INDEXERROR"));
  h.call(c, {"ARRAY.SET", "a", "0", "9223372036854775807"});
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.INCRBY", "a", "0", "1"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.GET", "a", "0"}), 9223372036854775807));
  auto r = h.call(c, {"ARRAY.RANGE", "a", "0", "10"});
  ASSERT_EQ(r.elements.size(), 3u);
  EXPECT_TRUE(is_int(r.elements[0], 9223372036854775807));
  EXPECT_TRUE(is_int(r.elements[1], 0));
  EXPECT_TRUE(is_int(r.elements[2], -8));
}

TEST(Array, FloatElements) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"CREATE", "array", "f", "TYPE", "float", "INIT", "0.5", "1", "2"});
  EXPECT_TRUE(is_float(h.call(c, {"ARRAY.GET", "f", "0"}), 0.5));
  EXPECT_TRUE(is_float(h.call(c, {"ARRAY.INCRBY", "f", "0", "0.25"}), 0.75));
  EXPECT_TRUE(is_float(h.call(c, {"ARRAY.INCRBY", "f", "1", "2"}), 3.0));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.INCRBY", "f", "1", "inf"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.SET", "f", "1", "nan"}), "VALUEERROR"));
  EXPECT_TRUE(is_ok(h.call(c, {"ARRAY.SET", "f", "2", "-1e3"})));
  auto& c3 = h.client(3);
  auto r = h.call(c3, {"ARRAY.RANGE", "f", "-2", "3"});
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[0].type, Reply::Type::dbl);
  EXPECT_EQ(r.elements[0].dbl, 3.0);
  EXPECT_EQ(r.elements[1].dbl, -1000.0);
  auto d = h.call(c3, {"DESCRIBE", "f"});
  ASSERT_NE(field(d, "elemtype"), nullptr);
  EXPECT_EQ(field(d, "elemtype")->str, "float");
  ASSERT_NE(field(d, "size"), nullptr);
  EXPECT_EQ(field(d, "size")->integer, 3);
  ASSERT_NE(field(d, "len"), nullptr);
  EXPECT_EQ(field(d, "len")->integer, 3);
}

TEST(Array, BytesElements) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"CREATE", "array", "b", "TYPE", "bytes", "LEN", "3"});
  EXPECT_TRUE(is_bulk(h.call(c, {"ARRAY.GET", "b", "1"}), ""));
  EXPECT_TRUE(is_ok(h.call(c, {"ARRAY.SET", "b", "1", "hello"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"ARRAY.GET", "b", "-2"}), "hello"));
  // A bytes element counts as an int when it reads as one.
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.INCRBY", "b", "1", "1"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.INCRBY", "b", "0", "1"}), "VALUEERROR"));  // ""
  h.call(c, {"ARRAY.SET", "b", "0", "41"});
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.INCRBY", "b", "0", "1"}), 42));
  EXPECT_TRUE(is_bulk(h.call(c, {"ARRAY.GET", "b", "0"}), "42"));
  EXPECT_EQ(strs(h.call(c, {"ARRAY.RANGE", "b", "0", "-1"})), (Strs{"42", "hello"}));
  EXPECT_EQ(strs(h.call(c, {"ARRAY.RANGE", "b", "2", "1"})), Strs{});
}

TEST(Array, WrongTypeAndArity) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"DICT.SET", "d", "k", "v"});
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.GET", "d", "0"}), "WRONGTYPE"));
  h.call(c, {"CREATE", "array", "a", "TYPE", "int", "LEN", "1"});
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.GET", "a"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"ARRAY.RANGE", "a", "0"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.GET", "a", "0"}), "WRONGTYPE"));
  EXPECT_TRUE(is_int(h.call(c, {"ARRAY.GET", "a", "0"}), 0));
}

}  // namespace
}  // namespace procshare::test

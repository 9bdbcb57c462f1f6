// LIST.* in process (PROTOCOL.md §6): Python's list with its index and slice
// rules and error kinds.
#include "data_test_util.hpp"

namespace procshare::test {
namespace {

// A list "l" holding `items`, made through the wire.
void fill(Harness& h, Harness::Client& c, const Strs& items) {
  std::vector<std::string> cmd{"LIST.EXTEND", "l"};
  cmd.insert(cmd.end(), items.begin(), items.end());
  h.call(c, cmd);
}

Strs all(Harness& h, Harness::Client& c) {
  return strs(h.call(c, {"LIST.RANGE", "l", "0", "1000"}));
}

TEST(List, AppendExtendLenAndImplicitCreation) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"LIST.LEN", "l"}), "NOTFOUND"));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.APPEND", "l", "a"}), 1));
  EXPECT_EQ(h.call(c, {"TYPE", "l"}).str, "list");
  EXPECT_TRUE(is_int(h.call(c, {"LIST.EXTEND", "l", "b", "c"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.LEN", "l"}), 3));
  EXPECT_EQ(all(h, c), (Strs{"a", "b", "c"}));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.EXTEND", "l"}), "ERR"));
}

TEST(List, GetSetDelWithNegativeIndexes) {
  Harness h;
  auto& c = h.client();
  fill(h, c, {"a", "b", "c"});
  EXPECT_TRUE(is_bulk(h.call(c, {"LIST.GET", "l", "0"}), "a"));
  EXPECT_TRUE(is_bulk(h.call(c, {"LIST.GET", "l", "-1"}), "c"));
  EXPECT_TRUE(is_bulk(h.call(c, {"LIST.GET", "l", "-3"}), "a"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.GET", "l", "3"}), "INDEXERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.GET", "l", "-4"}), "INDEXERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.GET", "l", "-9223372036854775808"}), "INDEXERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.GET", "l", "x"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.GET", "l", "1.0"}), "VALUEERROR"));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.SET", "l", "-2", "B"})));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.SET", "l", "3", "x"}), "INDEXERROR"));
  EXPECT_EQ(all(h, c), (Strs{"a", "B", "c"}));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.DEL", "l", "-1"})));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.DEL", "l", "2"}), "INDEXERROR"));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.DEL", "l", "0"})));
  EXPECT_EQ(all(h, c), (Strs{"B"}));
  auto e = h.call(c, {"LIST.GET", "l", "5"});
  EXPECT_EQ(e.error_message(), "list index out of range");
}

TEST(List, InsertClampsLikePython) {
  Harness h;
  auto& c = h.client();
  fill(h, c, {"a", "b"});
  EXPECT_TRUE(is_int(h.call(c, {"LIST.INSERT", "l", "1", "x"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.INSERT", "l", "100", "end"}), 4));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.INSERT", "l", "-100", "start"}), 5));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.INSERT", "l", "-1", "y"}), 6));
  EXPECT_EQ(all(h, c), (Strs{"start", "a", "x", "b", "y", "end"}));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.INSERT", "l", "one", "z"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.INSERT", "fresh", "5", "z"}), 1));  // creates
}

TEST(List, Pop) {
  Harness h;
  auto& c = h.client();
  auto e = h.call(c, {"LIST.POP", "l"});  // fails, and so creates nothing
  EXPECT_TRUE(is_error(e, "INDEXERROR"));
  EXPECT_EQ(e.error_message(), "pop from empty list");
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "l"}), 0));
  fill(h, c, {"a", "b", "c", "d", "e"});
  EXPECT_TRUE(is_bulk(h.call(c, {"LIST.POP", "l"}), "e"));
  EXPECT_TRUE(is_bulk(h.call(c, {"LIST.POP", "l", "0"}), "a"));
  EXPECT_TRUE(is_bulk(h.call(c, {"LIST.POP", "l", "1"}), "c"));
  EXPECT_TRUE(is_bulk(h.call(c, {"LIST.POP", "l", "-2"}), "b"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.POP", "l", "1"}), "INDEXERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.POP", "l", "x"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.POP", "l", "0", "extra"}), "ERR"));
  EXPECT_EQ(all(h, c), (Strs{"d"}));
}

TEST(List, RangeHasSliceSemantics) {
  Harness h;
  auto& c = h.client();
  fill(h, c, {"0", "1", "2", "3", "4"});
  auto r = [&](std::string a, std::string b) { return strs(h.call(c, {"LIST.RANGE", "l", a, b})); };
  EXPECT_EQ(r("1", "3"), (Strs{"1", "2"}));
  EXPECT_EQ(r("0", "5"), (Strs{"0", "1", "2", "3", "4"}));
  EXPECT_EQ(r("-2", "100"), (Strs{"3", "4"}));
  EXPECT_EQ(r("-100", "2"), (Strs{"0", "1"}));
  EXPECT_EQ(r("0", "-1"), (Strs{"0", "1", "2", "3"}));
  EXPECT_EQ(r("3", "1"), Strs{});
  EXPECT_EQ(r("5", "9"), Strs{});
  EXPECT_EQ(r("-9223372036854775808", "9223372036854775807"), (Strs{"0", "1", "2", "3", "4"}));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.RANGE", "l", "a", "2"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.RANGE", "l", "0"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.RANGE", "nope", "0", "1"}), "NOTFOUND"));
}

TEST(List, IndexCountRemove) {
  Harness h;
  auto& c = h.client();
  fill(h, c, {"a", "b", "a", "c", "a"});
  EXPECT_TRUE(is_int(h.call(c, {"LIST.INDEX", "l", "a"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.INDEX", "l", "c"}), 3));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.INDEX", "l", "z"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.COUNT", "l", "a"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.COUNT", "l", "z"}), 0));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.REMOVE", "l", "a"})));
  EXPECT_EQ(all(h, c), (Strs{"b", "a", "c", "a"}));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.REMOVE", "l", "z"}), "VALUEERROR"));
  EXPECT_EQ(all(h, c), (Strs{"b", "a", "c", "a"}));
}

TEST(List, ReverseAndClear) {
  Harness h;
  auto& c = h.client();
  fill(h, c, {"a", "b", "c"});
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.REVERSE", "l"})));
  EXPECT_EQ(all(h, c), (Strs{"c", "b", "a"}));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.CLEAR", "l"})));
  EXPECT_TRUE(is_int(h.call(c, {"LIST.LEN", "l"}), 0));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.REVERSE", "l"})));
}

TEST(List, SortBytewise) {
  Harness h;
  auto& c = h.client();
  fill(h, c, {"b", "10", "a", "9", "B", std::string("\xff"), ""});
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.SORT", "l"})));
  EXPECT_EQ(all(h, c), (Strs{"", "10", "9", "B", "a", "b", std::string("\xff")}));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.SORT", "l", "reverse"})));
  EXPECT_EQ(all(h, c), (Strs{std::string("\xff"), "b", "a", "B", "9", "10", ""}));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.SORT", "l", "DOWN"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.SORT", "l", "REVERSE", "REVERSE"}), "ERR"));
}

TEST(List, SortNumericIsStable) {
  Harness h;
  auto& c = h.client();
  // "1", "1.0" and "+1" are equal keys: they keep their order either way.
  fill(h, c, {"10", "1", "-2.5", "1.0", "3e1", "+1", "inf", "-inf"});
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.SORT", "l", "NUMERIC"})));
  EXPECT_EQ(all(h, c), (Strs{"-inf", "-2.5", "1", "1.0", "+1", "10", "3e1", "inf"}));
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.SORT", "l", "REVERSE", "NUMERIC"})));
  EXPECT_EQ(all(h, c), (Strs{"inf", "3e1", "10", "1", "1.0", "+1", "-2.5", "-inf"}));
}

TEST(List, SortNumericRefusesNonNumbersAndChangesNothing) {
  Harness h;
  auto& c = h.client();
  fill(h, c, {"3", "1", "x", "2"});
  EXPECT_TRUE(is_error(h.call(c, {"LIST.SORT", "l", "NUMERIC"}), "VALUEERROR"));
  EXPECT_EQ(all(h, c), (Strs{"3", "1", "x", "2"}));
  h.call(c, {"LIST.SET", "l", "2", "nan"});
  EXPECT_TRUE(is_error(h.call(c, {"LIST.SORT", "l", "NUMERIC"}), "VALUEERROR"));
  h.call(c, {"LIST.DEL", "l", "2"});
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.SORT", "l", "NUMERIC"})));
  EXPECT_EQ(all(h, c), (Strs{"1", "2", "3"}));
}

TEST(List, SortNumericLargePermutation) {
  Harness h;
  auto& c = h.client();
  std::vector<std::string> cmd{"LIST.EXTEND", "l"};
  // A permutation with cycles of many lengths: i -> (i * 7919) mod 1000.
  for (int i = 0; i < 1000; ++i) cmd.push_back(std::to_string((i * 7919) % 1000));
  h.call(c, cmd);
  EXPECT_TRUE(is_ok(h.call(c, {"LIST.SORT", "l", "NUMERIC"})));
  auto got = all(h, c);
  ASSERT_EQ(got.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(got[i], std::to_string(i));
}

TEST(List, WrongType) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"DICT.SET", "d", "k", "v"});
  EXPECT_TRUE(is_error(h.call(c, {"LIST.APPEND", "d", "x"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"LIST.LEN", "d"}), "WRONGTYPE"));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.LEN", "d"}), 1));
}

}  // namespace
}  // namespace procshare::test

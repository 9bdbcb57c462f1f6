// SET.* in process (PROTOCOL.md §6): Python's set, with Redis-style counts.
#include <algorithm>

#include "data_test_util.hpp"

namespace procshare::test {
namespace {

Strs sorted(Strs v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(Set, AddDiscardHasLen) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"SET.LEN", "s"}), "NOTFOUND"));
  EXPECT_TRUE(is_int(h.call(c, {"SET.ADD", "s", "a", "b", "a"}), 2));
  EXPECT_EQ(h.call(c, {"TYPE", "s"}).str, "set");
  EXPECT_TRUE(is_int(h.call(c, {"SET.ADD", "s", "b", "c"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"SET.LEN", "s"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"SET.HAS", "s", "a"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"SET.HAS", "s", "z"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"SET.DISCARD", "s", "a", "z", "a"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"SET.LEN", "s"}), 2));
  EXPECT_EQ(sorted(strs(h.call(c, {"SET.MEMBERS", "s"}))), (Strs{"b", "c"}));
  EXPECT_TRUE(is_error(h.call(c, {"SET.ADD", "s"}), "ERR"));
  auto& c3 = h.client(3);
  EXPECT_EQ(h.call(c3, {"SET.HAS", "s", "b"}).type, Reply::Type::boolean);
}

TEST(Set, RemoveAndPopRaiseKeyError) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"SET.POP", "s"}), "KEYERROR"));  // fails: creates nothing
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "s"}), 0));
  EXPECT_TRUE(is_error(h.call(c, {"SET.REMOVE", "s", "a"}), "KEYERROR"));
  h.call(c, {"SET.ADD", "s", "a", "b", "c"});
  EXPECT_TRUE(is_ok(h.call(c, {"SET.REMOVE", "s", "b"})));
  EXPECT_TRUE(is_error(h.call(c, {"SET.REMOVE", "s", "b"}), "KEYERROR"));
  Strs popped;
  for (int i = 0; i < 2; ++i) {
    auto r = h.call(c, {"SET.POP", "s"});
    ASSERT_EQ(r.type, Reply::Type::bulk);
    popped.push_back(r.str);
  }
  EXPECT_EQ(sorted(popped), (Strs{"a", "c"}));
  EXPECT_TRUE(is_error(h.call(c, {"SET.POP", "s"}), "KEYERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"SET.LEN", "s"}), 0));
}

TEST(Set, ClearAndWrongType) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"SET.ADD", "s", "a", "b"});
  EXPECT_TRUE(is_ok(h.call(c, {"SET.CLEAR", "s"})));
  EXPECT_EQ(h.call(c, {"SET.MEMBERS", "s"}).elements.size(), 0u);
  EXPECT_TRUE(is_int(h.call(c, {"SET.ADD", "s", "x"}), 1));
  h.call(c, {"LIST.APPEND", "l", "x"});
  EXPECT_TRUE(is_error(h.call(c, {"SET.ADD", "l", "x"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"SET.HAS", "l", "x"}), "WRONGTYPE"));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "set", "s", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "set", "t", "LIFO"}), "ERR"));
}

TEST(Set, ManyMembers) {
  Harness h;
  auto& c = h.client();
  std::vector<std::string> add{"SET.ADD", "s"};
  for (int i = 0; i < 3000; ++i) add.push_back(std::to_string(i));
  EXPECT_TRUE(is_int(h.call(c, add), 3000));
  EXPECT_TRUE(is_int(h.call(c, add), 0));
  std::vector<std::string> discard{"SET.DISCARD", "s"};
  for (int i = 0; i < 3000; i += 3) discard.push_back(std::to_string(i));
  EXPECT_TRUE(is_int(h.call(c, discard), 1000));
  EXPECT_TRUE(is_int(h.call(c, {"SET.LEN", "s"}), 2000));
  for (int i = 0; i < 3000; ++i) {
    ASSERT_TRUE(is_int(h.call(c, {"SET.HAS", "s", std::to_string(i)}), i % 3 != 0)) << i;
  }
}

}  // namespace
}  // namespace procshare::test

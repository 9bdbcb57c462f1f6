// NS.* in process (PROTOCOL.md §6): Python's managers.Namespace.
#include "data_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Namespace, SetGetDelHas) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"NS.GET", "n", "x"}), "NOTFOUND"));
  EXPECT_TRUE(is_ok(h.call(c, {"NS.SET", "n", "x", "1"})));
  EXPECT_EQ(h.call(c, {"TYPE", "n"}).str, "namespace");
  EXPECT_TRUE(is_bulk(h.call(c, {"NS.GET", "n", "x"}), "1"));
  EXPECT_TRUE(is_error(h.call(c, {"NS.GET", "n", "y"}), "KEYERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"NS.HAS", "n", "x"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"NS.HAS", "n", "y"}), 0));
  EXPECT_TRUE(is_ok(h.call(c, {"NS.SET", "n", "x", "2"})));
  EXPECT_TRUE(is_bulk(h.call(c, {"NS.GET", "n", "x"}), "2"));
  EXPECT_TRUE(is_ok(h.call(c, {"NS.DEL", "n", "x"})));
  EXPECT_TRUE(is_error(h.call(c, {"NS.DEL", "n", "x"}), "KEYERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"NS.DEL", "m", "x"}), "KEYERROR"));  // fails: creates nothing
  EXPECT_EQ(h.call(c, {"TYPE", "m"}).str, "none");
}

TEST(Namespace, AttrsAndItemsInOrder) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"NS.SET", "n", "b", "2"});
  h.call(c, {"NS.SET", "n", "a", "1"});
  h.call(c, {"NS.SET", "n", "b", "3"});
  EXPECT_EQ(strs(h.call(c, {"NS.ATTRS", "n"})), (Strs{"b", "a"}));
  auto items = h.call(c, {"NS.ITEMS", "n"});
  EXPECT_EQ(items.type, Reply::Type::array);
  EXPECT_EQ(strs(items), (Strs{"b", "3", "a", "1"}));
  auto& c3 = h.client(3);
  auto m = h.call(c3, {"NS.ITEMS", "n"});
  EXPECT_EQ(m.type, Reply::Type::map);
  EXPECT_EQ(strs(m), (Strs{"b", "3", "a", "1"}));
  EXPECT_EQ(h.call(c3, {"NS.HAS", "n", "a"}).type, Reply::Type::boolean);
}

TEST(Namespace, WrongTypeAndOptions) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"DICT.SET", "d", "k", "v"});
  EXPECT_TRUE(is_error(h.call(c, {"NS.SET", "d", "k", "v"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "namespace", "n", "X", "1"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "namespace", "n"})));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "namespace", "n", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(c, {"NS.SET", "n", "a"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(c, {"NS.SET", "n", "a", "b"})));
}

}  // namespace
}  // namespace procshare::test

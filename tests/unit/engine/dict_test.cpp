// DICT.* in process (PROTOCOL.md §6): Python's dict semantics, Redis's hash
// replies, implicit creation, errors, RESP2 and RESP3 shapes.
#include "data_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Dict, SetGetHasLenAndImplicitCreation) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"DICT.SET", "d", "k", "v"}), 1));  // creates d
  EXPECT_EQ(h.call(c, {"TYPE", "d"}).str, "dict");
  EXPECT_TRUE(is_int(h.call(c, {"DICT.SET", "d", "k", "w"}), 0));  // replaced
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "k"}), "w"));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.HAS", "d", "k"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.HAS", "d", "nope"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.LEN", "d"}), 1));
  // Binary-safe keys and values, and the empty string as a key.
  std::string bin("a\0b\r\n", 5);
  EXPECT_TRUE(is_int(h.call(c, {"DICT.SET", "d", bin, bin}), 1));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", bin}), bin));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.SET", "d", "", "empty"}), 1));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", ""}), "empty"));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.LEN", "d"}), 3));
}

TEST(Dict, GetMissingAndDefault) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"DICT.GET", "d", "k"}), "NOTFOUND"));  // reader: no creation
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "d"}), 0));
  h.call(c, {"DICT.SET", "d", "a", "1"});
  EXPECT_TRUE(is_error(h.call(c, {"DICT.GET", "d", "k"}), "KEYERROR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "k", "DEFAULT", "dflt"}), "dflt"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "a", "default", "dflt"}), "1"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.GET", "d", "k", "DEFAULT"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.GET", "d", "k", "OTHER", "x"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.GET", "d", "k", "DEFAULT", "x", "y"}), "ERR"));
  // The connection is still usable after errors.
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "a"}), "1"));
}

TEST(Dict, DelAndClear) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"DICT.DEL", "d", "k"}), "KEYERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "d"}), 0));  // a write that fails creates nothing
  h.call(c, {"DICT.UPDATE", "d", "a", "1", "b", "2"});
  EXPECT_TRUE(is_ok(h.call(c, {"DICT.DEL", "d", "a"})));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.HAS", "d", "a"}), 0));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.DEL", "d", "a"}), "KEYERROR"));
  EXPECT_TRUE(is_ok(h.call(c, {"DICT.CLEAR", "d"})));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.LEN", "d"}), 0));
  EXPECT_EQ(h.call(c, {"DICT.KEYS", "d"}).elements.size(), 0u);
}

TEST(Dict, KeysValuesItemsKeepInsertionOrder) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"DICT.UPDATE", "d", "z", "1", "a", "2", "m", "3"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.UPDATE", "d", "a", "20", "q", "4"}), 1));
  EXPECT_EQ(strs(h.call(c, {"DICT.KEYS", "d"})), (Strs{"z", "a", "m", "q"}));
  EXPECT_EQ(strs(h.call(c, {"DICT.VALUES", "d"})), (Strs{"1", "20", "3", "4"}));
  auto items = h.call(c, {"DICT.ITEMS", "d"});
  EXPECT_EQ(items.type, Reply::Type::array);  // RESP2: a flat array
  EXPECT_EQ(strs(items), (Strs{"z", "1", "a", "20", "m", "3", "q", "4"}));
  // Deleting and re-adding moves a key to the end, as in Python.
  h.call(c, {"DICT.DEL", "d", "z"});
  h.call(c, {"DICT.SET", "d", "z", "9"});
  EXPECT_EQ(strs(h.call(c, {"DICT.KEYS", "d"})), (Strs{"a", "m", "q", "z"}));

  auto& c3 = h.client(3);
  auto m = h.call(c3, {"DICT.ITEMS", "d"});
  EXPECT_EQ(m.type, Reply::Type::map);
  EXPECT_EQ(strs(m), (Strs{"a", "20", "m", "3", "q", "4", "z", "9"}));
  auto has = h.call(c3, {"DICT.HAS", "d", "a"});
  EXPECT_EQ(has.type, Reply::Type::boolean);
  EXPECT_EQ(has.integer, 1);
}

TEST(Dict, UpdateArity) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"DICT.UPDATE", "d", "k"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.UPDATE", "d", "k", "v", "k2"}), "ERR"));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "d"}), 0));  // a failed command creates nothing
}

TEST(Dict, PopAndPopitemAreLifo) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"DICT.POPITEM", "d"}), "KEYERROR"));  // created empty
  h.call(c, {"DICT.UPDATE", "d", "a", "1", "b", "2", "c", "3"});
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.POP", "d", "b"}), "2"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.POP", "d", "b"}), "KEYERROR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.POP", "d", "b", "DEFAULT", "x"}), "x"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.POP", "d", "a", "BAD", "x"}), "ERR"));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.HAS", "d", "a"}), 1));  // a syntax error changes nothing
  h.call(c, {"DICT.SET", "d", "e", "5"});
  EXPECT_EQ(strs(h.call(c, {"DICT.POPITEM", "d"})), (Strs{"e", "5"}));
  EXPECT_EQ(strs(h.call(c, {"DICT.POPITEM", "d"})), (Strs{"c", "3"}));
  EXPECT_EQ(strs(h.call(c, {"DICT.POPITEM", "d"})), (Strs{"a", "1"}));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.POPITEM", "d"}), "KEYERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.LEN", "d"}), 0));
}

TEST(Dict, SetDefault) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.SETDEFAULT", "d", "k", "first"}), "first"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.SETDEFAULT", "d", "k", "second"}), "first"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "k"}), "first"));
}

TEST(Dict, IncrBy) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"DICT.INCRBY", "d", "n", "5"}), 5));  // missing counts as 0
  EXPECT_TRUE(is_int(h.call(c, {"DICT.INCRBY", "d", "n", "-7"}), -2));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.INCRBY", "d", "n", "+3"}), 1));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "n"}), "1"));  // stored as text
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "n", "1.5"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "n", "abc"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "n", "+-1"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "n", "99999999999999999999"}), "VALUEERROR"));
  h.call(c, {"DICT.SET", "d", "s", "hello"});
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "s", "1"}), "VALUEERROR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "s"}), "hello"));
  // Overflow is an error and leaves the value alone.
  h.call(c, {"DICT.SET", "d", "big", "9223372036854775807"});
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "big", "1"}), "VALUEERROR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "big"}), "9223372036854775807"));
  h.call(c, {"DICT.SET", "d", "small", "-9223372036854775808"});
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "small", "-1"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.INCRBY", "d", "small", "1"}), -9223372036854775807LL));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.LEN", "d"}), 4));
}

TEST(Dict, IncrByFloat) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_float(h.call(c, {"DICT.INCRBYFLOAT", "d", "x", "1.5"}), 1.5));
  EXPECT_TRUE(is_float(h.call(c, {"DICT.INCRBYFLOAT", "d", "x", "-0.25"}), 1.25));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "x"}), "1.25"));
  EXPECT_TRUE(is_float(h.call(c, {"DICT.INCRBYFLOAT", "d", "x", "0.75"}), 2.0));
  // A float stays a float ("2.0"), so integer increments refuse it.
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "x"}), "2.0"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBY", "d", "x", "1"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBYFLOAT", "d", "x", "nan"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBYFLOAT", "d", "x", "inf"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBYFLOAT", "d", "x", "1e308x"}), "VALUEERROR"));
  h.call(c, {"DICT.SET", "d", "huge", "1.7e308"});
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBYFLOAT", "d", "huge", "1.7e308"}), "VALUEERROR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "huge"}), "1.7e308"));
  h.call(c, {"DICT.SET", "d", "s", "abc"});
  EXPECT_TRUE(is_error(h.call(c, {"DICT.INCRBYFLOAT", "d", "s", "1"}), "VALUEERROR"));

  auto& c3 = h.client(3);
  auto r = h.call(c3, {"DICT.INCRBYFLOAT", "d", "x", "0.5"});
  EXPECT_EQ(r.type, Reply::Type::dbl);
  EXPECT_EQ(r.dbl, 2.5);
}

TEST(Dict, WrongTypeAndArity) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"LIST.APPEND", "l", "x"});
  EXPECT_TRUE(is_error(h.call(c, {"DICT.GET", "l", "k"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.SET", "l", "k", "v"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.SET", "d", "k"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.LEN", "d", "extra"}), "ERR"));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "d"}), 0));  // arity is checked before creation
  EXPECT_EQ(h.call(c, {"LIST.LEN", "l"}).integer, 1);
}

TEST(Dict, CreateAndDescribe) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "dict", "d"})));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "dict", "d"}), "EXISTS"));
  EXPECT_TRUE(is_ok(h.call(c, {"CREATE", "dict", "d", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "list", "d", "EXISTOK"}), "EXISTS"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "dict", "e", "MAXSIZE", "3"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "dict", "e", "bogus"}), "ERR"));
  h.call(c, {"DICT.UPDATE", "d", "a", "1", "b", "2"});
  auto& c3 = h.client(3);
  auto d = h.call(c3, {"DESCRIBE", "d"});
  ASSERT_EQ(d.type, Reply::Type::map);
  bool saw_size = false;
  for (std::size_t i = 0; i + 1 < d.elements.size(); i += 2) {
    if (d.elements[i].str == "size") {
      saw_size = true;
      EXPECT_EQ(d.elements[i + 1].integer, 2);
    }
  }
  EXPECT_TRUE(saw_size);
  auto m = h.call(c, {"METHODS", "dict"});
  EXPECT_EQ(m.elements.size(), 16u);  // DICT.* commands, DICT.SCAN included
}

// Many keys through the wire path: growth, deletion from the front, LIFO pops.
TEST(Dict, ManyKeys) {
  Harness h;
  auto& c = h.client();
  const int n = 5000;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(
        is_int(h.call(c, {"DICT.SET", "d", "k" + std::to_string(i), std::to_string(i)}), 1));
  }
  for (int i = 0; i < n; i += 2)
    ASSERT_TRUE(is_ok(h.call(c, {"DICT.DEL", "d", "k" + std::to_string(i)})));
  EXPECT_TRUE(is_int(h.call(c, {"DICT.LEN", "d"}), n / 2));
  auto keys = strs(h.call(c, {"DICT.KEYS", "d"}));
  ASSERT_EQ(keys.size(), static_cast<std::size_t>(n / 2));
  for (int i = 0; i < n / 2; ++i) EXPECT_EQ(keys[i], "k" + std::to_string(2 * i + 1));
  EXPECT_EQ(strs(h.call(c, {"DICT.POPITEM", "d"})), (Strs{"k4999", "4999"}));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "d", "k4997"}), "4997"));
  EXPECT_TRUE(is_error(h.call(c, {"DICT.GET", "d", "k4998"}), "KEYERROR"));
}

}  // namespace
}  // namespace procshare::test

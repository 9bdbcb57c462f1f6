// Redis hashes (on `dict`) and sets (on `set`) in process (issue 7).
#include <algorithm>

#include "data_test_util.hpp"

namespace procshare::test {
namespace {

Strs sorted(Strs v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(RedisHashes, SetGetAndDictCommandsSeeTheSameObject) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_null(h.call(c, {"HGET", "h", "f"})));
  EXPECT_TRUE(is_int(h.call(c, {"HLEN", "h"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"HSET", "h", "a", "1", "b", "2"}), 2));
  EXPECT_TRUE(is_int(h.call(c, {"HSET", "h", "a", "10", "c", "3"}), 1));
  EXPECT_EQ(h.call(c, {"TYPE", "h"}).str, "dict");
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "h", "a"}), "10"));
  h.call(c, {"DICT.SET", "h", "d", "4"});
  EXPECT_TRUE(is_bulk(h.call(c, {"HGET", "h", "d"}), "4"));
  EXPECT_TRUE(is_int(h.call(c, {"HLEN", "h"}), 4));
  EXPECT_TRUE(is_int(h.call(c, {"HEXISTS", "h", "a"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"HEXISTS", "h", "zz"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"HSTRLEN", "h", "a"}), 2));
  EXPECT_EQ(strs(h.call(c, {"HKEYS", "h"})), (Strs{"a", "b", "c", "d"}));
  EXPECT_EQ(strs(h.call(c, {"HVALS", "h"})), (Strs{"10", "2", "3", "4"}));
  Reply m = h.call(c, {"HMGET", "h", "a", "nope", "d"});
  ASSERT_EQ(m.elements.size(), 3u);
  EXPECT_TRUE(is_null(m.elements[1]));
  EXPECT_TRUE(is_ok(h.call(c, {"HMSET", "h", "e", "5"})));
  EXPECT_TRUE(is_int(h.call(c, {"HSETNX", "h", "e", "x"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"HSETNX", "h", "f", "6"}), 1));
  EXPECT_TRUE(is_error(h.call(c, {"HSET", "h", "a"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"HSET", "h", "a", "1", "b"}), "ERR"));
}

TEST(RedisHashes, GetallIsAMapInResp3) {
  Harness h;
  auto& c2 = h.client(2);
  auto& c3 = h.client(3);
  h.call(c2, {"HSET", "h", "a", "1", "b", "2"});
  Reply flat = h.call(c2, {"HGETALL", "h"});
  EXPECT_EQ(flat.type, Reply::Type::array);
  EXPECT_EQ(strs(flat), (Strs{"a", "1", "b", "2"}));
  Reply map = h.call(c3, {"HGETALL", "h"});
  EXPECT_EQ(map.type, Reply::Type::map);
  EXPECT_EQ(strs(map), (Strs{"a", "1", "b", "2"}));
  EXPECT_EQ(h.call(c3, {"HGETALL", "missing"}).elements.size(), 0u);
}

TEST(RedisHashes, DelEmptiesAndDeletes) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"HSET", "h", "a", "1", "b", "2"});
  EXPECT_TRUE(is_int(h.call(c, {"HDEL", "h", "a", "zz"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"HDEL", "h", "b"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "h"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"HDEL", "h", "b"}), 0));
  // procshare commands keep an emptied dict (procshare semantics)...
  h.call(c, {"DICT.SET", "p", "k", "v"});
  h.call(c, {"DICT.DEL", "p", "k"});
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "p"}), 1));
  // ...and so does a Redis command when someone holds a reference to it.
  h.call(c, {"DICT.SET", "r", "k", "v"});
  h.call(c, {"REF.INC", "r"});
  EXPECT_TRUE(is_int(h.call(c, {"HDEL", "r", "k"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "r"}), 1));
}

TEST(RedisHashes, IncrementsAndErrors) {
  Harness h;
  auto& c = h.client(3);
  EXPECT_TRUE(is_int(h.call(c, {"HINCRBY", "h", "n", "5"}), 5));
  EXPECT_TRUE(is_int(h.call(c, {"HINCRBY", "h", "n", "-7"}), -2));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "h", "n"}), "-2"));
  EXPECT_TRUE(is_bulk(h.call(c, {"HINCRBYFLOAT", "h", "x", "0.5"}), "0.5"));
  EXPECT_TRUE(is_bulk(h.call(c, {"HINCRBYFLOAT", "h", "x", "1"}), "1.5"));
  h.call(c, {"HSET", "h", "s", "abc"});
  Reply r = h.call(c, {"HINCRBY", "h", "s", "1"});
  EXPECT_TRUE(is_error(r, "ERR"));
  EXPECT_EQ(r.error_message(), "hash value is not an integer");
  r = h.call(c, {"HINCRBYFLOAT", "h", "s", "1"});
  EXPECT_EQ(r.error_message(), "hash value is not a float");
  EXPECT_EQ(h.call(c, {"HINCRBY", "h", "n", "x"}).error_message(),
            "value is not an integer or out of range");
  h.call(c, {"HSET", "h", "big", "9223372036854775807"});
  EXPECT_EQ(h.call(c, {"HINCRBY", "h", "big", "1"}).error_message(),
            "increment or decrement would overflow");
  EXPECT_TRUE(is_error(h.call(c, {"HINCRBYFLOAT", "new", "f", "inf"}), "ERR"));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "new"}), 0));
  h.call(c, {"LIST.APPEND", "l", "x"});
  EXPECT_TRUE(is_error(h.call(c, {"HSET", "l", "a", "1"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(c, {"HGET", "l", "a"}), "WRONGTYPE"));
}

TEST(RedisSets, AddRemoveMembers) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"SCARD", "s"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"SADD", "s", "a", "b", "a"}), 2));
  EXPECT_TRUE(is_int(h.call(c, {"SADD", "s", "b", "c"}), 1));
  EXPECT_EQ(h.call(c, {"TYPE", "s"}).str, "set");
  EXPECT_TRUE(is_int(h.call(c, {"SET.HAS", "s", "c"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"SISMEMBER", "s", "a"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"SISMEMBER", "s", "z"}), 0));
  Reply mis = h.call(c, {"SMISMEMBER", "s", "a", "z"});
  ASSERT_EQ(mis.elements.size(), 2u);
  EXPECT_TRUE(is_int(mis.elements[0], 1));
  EXPECT_TRUE(is_int(mis.elements[1], 0));
  EXPECT_TRUE(is_int(h.call(c, {"SCARD", "s"}), 3));
  EXPECT_EQ(sorted(strs(h.call(c, {"SMEMBERS", "s"}))), (Strs{"a", "b", "c"}));
  EXPECT_TRUE(is_int(h.call(c, {"SREM", "s", "a", "z"}), 1));
  EXPECT_TRUE(is_int(h.call(c, {"SREM", "s", "b", "c"}), 2));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "s"}), 0));
  EXPECT_EQ(h.call(c, {"SMEMBERS", "s"}).elements.size(), 0u);
}

TEST(RedisSets, MembersIsASetInResp3) {
  Harness h;
  auto& c = h.client(3);
  h.call(c, {"SADD", "s", "x"});
  EXPECT_EQ(h.call(c, {"SMEMBERS", "s"}).type, Reply::Type::set);
}

TEST(RedisSets, PopAndRandomMember) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_null(h.call(c, {"SPOP", "s"})));
  EXPECT_TRUE(is_null(h.call(c, {"SRANDMEMBER", "s"})));
  EXPECT_EQ(h.call(c, {"SPOP", "s", "3"}).elements.size(), 0u);
  h.call(c, {"SADD", "s", "a", "b", "c", "d"});
  Reply one = h.call(c, {"SRANDMEMBER", "s"});
  EXPECT_EQ(one.type, Reply::Type::bulk);
  EXPECT_EQ(sorted(strs(h.call(c, {"SRANDMEMBER", "s", "10"}))), (Strs{"a", "b", "c", "d"}));
  Strs two = strs(h.call(c, {"SRANDMEMBER", "s", "2"}));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(two[0], two[1]);
  EXPECT_EQ(h.call(c, {"SRANDMEMBER", "s", "-7"}).elements.size(), 7u);
  EXPECT_TRUE(is_int(h.call(c, {"SCARD", "s"}), 4));  // SRANDMEMBER removes nothing
  Reply popped = h.call(c, {"SPOP", "s"});
  EXPECT_EQ(popped.type, Reply::Type::bulk);
  EXPECT_TRUE(is_int(h.call(c, {"SISMEMBER", "s", popped.str}), 0));
  EXPECT_EQ(h.call(c, {"SPOP", "s", "2"}).elements.size(), 2u);
  EXPECT_EQ(h.call(c, {"SPOP", "s", "5"}).elements.size(), 1u);
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "s"}), 0));
  EXPECT_EQ(h.call(c, {"SPOP", "s", "-1"}).error_message(),
            "value is out of range, must be positive");
}

}  // namespace
}  // namespace procshare::test

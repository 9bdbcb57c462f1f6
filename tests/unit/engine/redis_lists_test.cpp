// Redis lists (on `list`) in process, BLPOP/BRPOP included (issue 7).
#include "data_test_util.hpp"

namespace procshare::test {
namespace {

Strs range(Harness& h, Harness::Client& c, const std::string& key) {
  return strs(h.call(c, {"LRANGE", key, "0", "-1"}));
}

TEST(RedisLists, PushOrderAndListCommandsSeeIt) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"LPUSH", "l", "a", "b", "c"}), 3));
  EXPECT_TRUE(is_int(h.call(c, {"RPUSH", "l", "x", "y"}), 5));
  EXPECT_EQ(range(h, c, "l"), (Strs{"c", "b", "a", "x", "y"}));
  EXPECT_EQ(h.call(c, {"TYPE", "l"}).str, "list");
  EXPECT_EQ(strs(h.call(c, {"LIST.RANGE", "l", "0", "100"})), (Strs{"c", "b", "a", "x", "y"}));
  h.call(c, {"LIST.APPEND", "l", "z"});
  EXPECT_TRUE(is_int(h.call(c, {"LLEN", "l"}), 6));
  EXPECT_TRUE(is_int(h.call(c, {"LPUSHX", "nope", "a"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "nope"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"RPUSHX", "l", "end"}), 7));
  EXPECT_TRUE(is_int(h.call(c, {"LPUSHX", "l", "start"}), 8));
  EXPECT_TRUE(is_int(h.call(c, {"LLEN", "missing"}), 0));
  EXPECT_EQ(range(h, c, "missing"), Strs{});
}

TEST(RedisLists, RangeIndexSetWithRedisRules) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(strs(h.call(c, {"LRANGE", "l", "1", "2"})), (Strs{"b", "c"}));
  EXPECT_EQ(strs(h.call(c, {"LRANGE", "l", "-2", "100"})), (Strs{"c", "d"}));
  EXPECT_EQ(strs(h.call(c, {"LRANGE", "l", "-100", "0"})), (Strs{"a"}));
  EXPECT_EQ(strs(h.call(c, {"LRANGE", "l", "3", "1"})), Strs{});
  EXPECT_EQ(strs(h.call(c, {"LRANGE", "l", "5", "10"})), Strs{});
  EXPECT_TRUE(is_error(h.call(c, {"LRANGE", "l", "x", "1"}), "ERR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"LINDEX", "l", "-1"}), "d"));
  EXPECT_TRUE(is_null(h.call(c, {"LINDEX", "l", "4"})));
  EXPECT_TRUE(is_null(h.call(c, {"LINDEX", "missing", "0"})));
  EXPECT_TRUE(is_ok(h.call(c, {"LSET", "l", "-1", "D"})));
  EXPECT_EQ(h.call(c, {"LSET", "l", "9", "x"}).error_message(), "index out of range");
  EXPECT_EQ(h.call(c, {"LSET", "missing", "0", "x"}).error_message(), "no such key");
  EXPECT_EQ(range(h, c, "l"), (Strs{"a", "b", "c", "D"}));
}

TEST(RedisLists, PopWithCountAndEmptiedListGoes) {
  Harness h;
  for (int resp : {2, 3}) {
    auto& c = h.client(resp);
    EXPECT_TRUE(is_null(h.call(c, {"LPOP", "l"})));
    EXPECT_TRUE(is_null(h.call(c, {"LPOP", "l", "2"})));  // *-1 / _
    h.call(c, {"RPUSH", "l", "a", "b", "c", "d", "e"});
    EXPECT_TRUE(is_bulk(h.call(c, {"LPOP", "l"}), "a"));
    EXPECT_TRUE(is_bulk(h.call(c, {"RPOP", "l"}), "e"));
    EXPECT_EQ(strs(h.call(c, {"LPOP", "l", "2"})), (Strs{"b", "c"}));
    EXPECT_EQ(h.call(c, {"LPOP", "l", "0"}).elements.size(), 0u);
    EXPECT_EQ(strs(h.call(c, {"RPOP", "l", "10"})), (Strs{"d"}));
    EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "l"}), 0));
    EXPECT_EQ(h.call(c, {"LPOP", "l", "-1"}).error_message(),
              "value is out of range, must be positive");
  }
  // An empty list made by procshare reads as missing and stays.
  auto& c = h.client();
  h.call(c, {"CREATE", "list", "empty"});
  EXPECT_TRUE(is_null(h.call(c, {"LPOP", "empty"})));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "empty"}), 1));
}

TEST(RedisLists, RemAndInsert) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"RPUSH", "l", "a", "x", "b", "x", "c", "x"});
  EXPECT_TRUE(is_int(h.call(c, {"LREM", "l", "1", "x"}), 1));
  EXPECT_EQ(range(h, c, "l"), (Strs{"a", "b", "x", "c", "x"}));
  EXPECT_TRUE(is_int(h.call(c, {"LREM", "l", "-1", "x"}), 1));
  EXPECT_EQ(range(h, c, "l"), (Strs{"a", "b", "x", "c"}));
  h.call(c, {"RPUSH", "l", "x", "x"});
  EXPECT_TRUE(is_int(h.call(c, {"LREM", "l", "0", "x"}), 3));
  EXPECT_EQ(range(h, c, "l"), (Strs{"a", "b", "c"}));
  EXPECT_TRUE(is_int(h.call(c, {"LINSERT", "l", "BEFORE", "b", "B"}), 4));
  EXPECT_TRUE(is_int(h.call(c, {"LINSERT", "l", "after", "c", "C"}), 5));
  EXPECT_TRUE(is_int(h.call(c, {"LINSERT", "l", "AFTER", "zz", "C"}), -1));
  EXPECT_TRUE(is_int(h.call(c, {"LINSERT", "missing", "AFTER", "a", "b"}), 0));
  EXPECT_TRUE(is_error(h.call(c, {"LINSERT", "l", "AROUND", "a", "b"}), "ERR"));
  EXPECT_EQ(range(h, c, "l"), (Strs{"a", "B", "b", "c", "C"}));
  EXPECT_TRUE(is_int(h.call(c, {"LREM", "l", "0", "a"}), 1));
  for (std::string v : {"B", "b", "c", "C"}) h.call(c, {"LREM", "l", "0", v});
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "l"}), 0));
}

TEST(RedisLists, WrongType) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"SET", "s", "v"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"LPUSH", "s", "a"},
                                                        {"LPOP", "s"},
                                                        {"LRANGE", "s", "0", "1"},
                                                        {"LLEN", "s"},
                                                        {"BLPOP", "s", "0"}}) {
    Reply r = h.call(c, cmd);
    EXPECT_TRUE(is_error(r, "WRONGTYPE")) << cmd[0];
    EXPECT_EQ(r.error_message(), "Operation against a key holding the wrong kind of value");
  }
}

TEST(RedisBlocking, ImmediatePopServesFirstNonEmptyKey) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"RPUSH", "b", "1", "2"});
  EXPECT_EQ(strs(h.call(c, {"BLPOP", "a", "b", "0"})), (Strs{"b", "1"}));
  EXPECT_EQ(strs(h.call(c, {"BRPOP", "a", "b", "0"})), (Strs{"b", "2"}));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "a", "b"}), 0));
  EXPECT_EQ(h.call(c, {"BLPOP", "a", "-1"}).error_message(), "timeout is negative");
  EXPECT_EQ(h.call(c, {"BLPOP", "a", "x"}).error_message(),
            "timeout is not a float or out of range");
}

TEST(RedisBlocking, PushWakesAWaiterWhoTakesTheItem) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_FALSE(h.send(a, {"BLPOP", "jobs", "0"}).has_value());
  EXPECT_TRUE(h.parked(a));
  // Redis replies the length after the push, then serves the blocked client.
  EXPECT_TRUE(is_int(h.call(b, {"RPUSH", "jobs", "j1", "j2"}), 2));
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"jobs", "j1"}));
  EXPECT_FALSE(h.parked(a));
  EXPECT_EQ(range(h, b, "jobs"), (Strs{"j2"}));
  // LPUSH of several: the waiter gets the first item of the final list.
  h.call(b, {"DEL", "jobs"});
  EXPECT_FALSE(h.send(a, {"BLPOP", "jobs", "0"}).has_value());
  h.call(b, {"LPUSH", "jobs", "x", "y", "z"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"jobs", "z"}));
}

TEST(RedisBlocking, ListCommandsWakeToo) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_FALSE(h.send(a, {"BRPOP", "l", "5"}).has_value());
  // The length right after the append, as Redis's LPUSH replies; the waiter
  // is served after the command.
  EXPECT_TRUE(is_int(h.call(b, {"LIST.APPEND", "l", "v"}), 1));
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"l", "v"}));
  // The waiter emptied the list: it is gone, as in Redis.
  EXPECT_TRUE(is_int(h.call(b, {"EXISTS", "l"}), 0));
  EXPECT_FALSE(h.send(a, {"BLPOP", "l", "5"}).has_value());
  h.call(b, {"LIST.EXTEND", "l", "p", "q"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"l", "p"}));
  EXPECT_FALSE(h.send(a, {"BLPOP", "l2", "5"}).has_value());
  h.call(b, {"LIST.INSERT", "l2", "0", "i"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"l2", "i"}));
}

TEST(RedisBlocking, WaitersAreServedInArrivalOrder) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& p = h.client();
  EXPECT_FALSE(h.send(a, {"BLPOP", "q", "0"}).has_value());
  EXPECT_FALSE(h.send(b, {"BLPOP", "q", "0"}).has_value());
  h.call(p, {"RPUSH", "q", "1"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"q", "1"}));
  EXPECT_TRUE(h.parked(b));
  // The list b waits on stays while it waits, even though it is empty.
  EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "q"}), 1));
  h.call(p, {"RPUSH", "q", "2", "3"});
  EXPECT_EQ(strs(h.next_reply(b).value()), (Strs{"q", "2"}));
  EXPECT_EQ(range(h, p, "q"), (Strs{"3"}));
}

TEST(RedisBlocking, SeveralKeys) {
  Harness h;
  auto& a = h.client();
  auto& p = h.client();
  EXPECT_FALSE(h.send(a, {"BLPOP", "k1", "k2", "k3", "0"}).has_value());
  Reply d = h.call(p, {"DESCRIBE", "k3"});
  EXPECT_TRUE(is_int(*field(d, "waiters"), 1));
  h.call(p, {"RPUSH", "k3", "v3"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"k3", "v3"}));
  // Every queue was left and the lists made for the wait are gone.
  EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "k1", "k2", "k3"}), 0));
  h.call(p, {"RPUSH", "k1", "v1"});
  EXPECT_TRUE(is_int(h.call(p, {"LLEN", "k1"}), 1));
  // A key that exists but is empty (made by procshare) is waited on and kept.
  h.call(p, {"CREATE", "list", "kept"});
  EXPECT_FALSE(h.send(a, {"BRPOP", "kept", "other", "0"}).has_value());
  h.call(p, {"RPUSH", "other", "o"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"other", "o"}));
  EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "kept"}), 1));
  EXPECT_TRUE(is_int(*field(h.call(p, {"DESCRIBE", "kept"}), "waiters"), 0));
  // Duplicate keys are one wait.
  EXPECT_FALSE(h.send(a, {"BLPOP", "dup", "dup", "0"}).has_value());
  h.call(p, {"RPUSH", "dup", "d1", "d2"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"dup", "d1"}));
  EXPECT_EQ(range(h, p, "dup"), (Strs{"d2"}));
}

TEST(RedisBlocking, OnePushServesSeveralWaitersOfMixedKinds) {
  Harness h;
  auto& multi = h.client();
  auto& single = h.client();
  auto& p = h.client();
  EXPECT_FALSE(h.send(multi, {"BLPOP", "a", "b", "0"}).has_value());
  EXPECT_FALSE(h.send(single, {"BRPOP", "b", "0"}).has_value());
  // multi's proxy is first in b's queue: it takes the first item, then
  // single takes the second, and the emptied list goes.
  EXPECT_TRUE(is_int(h.call(p, {"RPUSH", "b", "1", "2"}), 2));
  EXPECT_EQ(strs(h.next_reply(multi).value()), (Strs{"b", "1"}));
  EXPECT_EQ(strs(h.next_reply(single).value()), (Strs{"b", "2"}));
  EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "a", "b"}), 0));
  // The same through LIST.EXTEND, with a third item left over.
  EXPECT_FALSE(h.send(multi, {"BLPOP", "a", "b", "0"}).has_value());
  EXPECT_FALSE(h.send(single, {"BLPOP", "b", "0"}).has_value());
  h.call(p, {"LIST.EXTEND", "b", "x", "y", "z"});
  EXPECT_EQ(strs(h.next_reply(multi).value()), (Strs{"b", "x"}));
  EXPECT_EQ(strs(h.next_reply(single).value()), (Strs{"b", "y"}));
  EXPECT_EQ(range(h, p, "b"), (Strs{"z"}));
  EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "a"}), 0));
}

TEST(RedisBlocking, EngineGoesWithClientsStillWaiting) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_FALSE(h.send(a, {"BLPOP", "x", "y", "z", "0"}).has_value());
  EXPECT_FALSE(h.send(b, {"BRPOP", "y", "0"}).has_value());
  // The harness (and its engine) is destroyed here: nothing may dangle.
}

TEST(RedisBlocking, TimeoutRepliesNullAndCleansUp) {
  Harness h;
  for (int resp : {2, 3}) {
    auto& a = h.client(resp);
    EXPECT_FALSE(h.send(a, {"BLPOP", "t1", "t2", "0.01"}).has_value());
    Reply r = h.expire(a).value();
    EXPECT_TRUE(is_null(r));
    EXPECT_FALSE(h.parked(a));
    auto& p = h.client();
    EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "t1", "t2"}), 0));
    // Nothing of the wait is left behind in the queues.
    h.call(p, {"RPUSH", "t2", "x"});
    EXPECT_TRUE(is_int(h.call(p, {"LLEN", "t2"}), 1));
    h.call(p, {"DEL", "t2"});
  }
}

TEST(RedisBlocking, DisconnectedWaiterLosesNothing) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& p = h.client();
  EXPECT_FALSE(h.send(a, {"BLPOP", "x", "y", "0"}).has_value());
  EXPECT_FALSE(h.send(b, {"BLPOP", "y", "0"}).has_value());
  h.disconnect(a);
  h.call(p, {"RPUSH", "y", "item"});
  EXPECT_EQ(strs(h.next_reply(b).value()), (Strs{"y", "item"}));
  EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "x", "y"}), 0));
  EXPECT_FALSE(h.send(b, {"BLPOP", "z", "0"}).has_value());
  h.disconnect(b);
  h.call(p, {"RPUSH", "z", "kept"});
  EXPECT_EQ(range(h, p, "z"), (Strs{"kept"}));
}

TEST(RedisBlocking, DeletedOrRenamedList) {
  Harness h;
  auto& a = h.client();
  auto& p = h.client();
  EXPECT_FALSE(h.send(a, {"BLPOP", "w", "0"}).has_value());
  EXPECT_TRUE(is_int(h.call(p, {"DEL", "w"}), 1));
  EXPECT_TRUE(is_error(h.next_reply(a).value(), "NOTFOUND"));
  // A renamed list keeps its waiters; the reply names its new key.
  EXPECT_FALSE(h.send(a, {"BLPOP", "w", "other", "0"}).has_value());
  EXPECT_TRUE(is_ok(h.call(p, {"RENAME", "w", "w2"})));
  h.call(p, {"RPUSH", "w2", "v"});
  EXPECT_EQ(strs(h.next_reply(a).value()), (Strs{"w2", "v"}));
  EXPECT_TRUE(is_int(h.call(p, {"EXISTS", "w", "w2", "other"}), 0));
  // FLUSHALL ends every wait with NOTFOUND.
  EXPECT_FALSE(h.send(a, {"BLPOP", "f1", "f2", "0"}).has_value());
  EXPECT_TRUE(is_ok(h.call(p, {"FLUSHALL"})));
  EXPECT_TRUE(is_error(h.next_reply(a).value(), "NOTFOUND"));
  EXPECT_FALSE(h.parked(a));
  EXPECT_TRUE(is_int(h.call(p, {"DBSIZE"}), 0));
}

}  // namespace
}  // namespace procshare::test

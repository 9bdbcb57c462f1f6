// Redis keyspace and server commands in process (issue 7): KEYS, SCAN's
// cursor, RENAME, expiry, SELECT, CONFIG, DBSIZE, FLUSHALL.
#include <algorithm>
#include <functional>
#include <set>

#include "data_test_util.hpp"

namespace procshare::test {
namespace {

// Runs a whole SCAN; `between` runs after each call (to change the keyspace).
std::multiset<std::string> scan_all(Harness& h, Harness::Client& c,
                                    std::vector<std::string> options = {},
                                    const std::function<void(int)>& between = {}) {
  std::multiset<std::string> seen;
  std::string cursor = "0";
  for (int calls = 0; calls < 100000; ++calls) {
    std::vector<std::string> cmd{"SCAN", cursor};
    cmd.insert(cmd.end(), options.begin(), options.end());
    Reply r = h.call(c, cmd);
    EXPECT_EQ(r.elements.size(), 2u);
    if (r.elements.size() != 2) break;
    for (const Reply& n : r.elements[1].elements) seen.insert(n.str);
    cursor = r.elements[0].str;
    if (between) between(calls);
    if (cursor == "0") return seen;
  }
  ADD_FAILURE() << "SCAN never ended";
  return seen;
}

TEST(RedisKeys, KeysAndScanSeeEveryName) {
  Harness h;
  auto& c = h.client();
  for (int i = 0; i < 250; ++i) h.call(c, {"SET", "key:" + std::to_string(i), "v"});
  h.call(c, {"HSET", "hash", "f", "v"});
  h.call(c, {"RPUSH", "list", "v"});
  EXPECT_EQ(h.call(c, {"KEYS", "key:1?"}).elements.size(), 10u);
  EXPECT_EQ(strs(h.call(c, {"KEYS", "[hl]*"})), (Strs{"hash", "list"}));
  auto all = scan_all(h, c);
  EXPECT_EQ(all.size(), 252u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 252u);  // no repeats
  EXPECT_EQ(scan_all(h, c, {"MATCH", "key:2*", "COUNT", "7"}).size(), 61u);
  EXPECT_EQ(scan_all(h, c, {"TYPE", "hash"}), (std::multiset<std::string>{"hash"}));
  EXPECT_EQ(scan_all(h, c, {"TYPE", "dict"}), (std::multiset<std::string>{"hash"}));
  EXPECT_EQ(scan_all(h, c, {"TYPE", "string", "COUNT", "1000"}).size(), 250u);
  EXPECT_EQ(h.call(c, {"SCAN", "x"}).error_message(), "invalid cursor");
  EXPECT_TRUE(is_error(h.call(c, {"SCAN", "0", "COUNT", "0"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"SCAN", "0", "MATCH"}), "ERR"));
}

TEST(RedisKeys, ScanCursorSurvivesChanges) {
  Harness h;
  auto& c = h.client();
  for (int i = 0; i < 300; ++i) h.call(c, {"SET", "old:" + std::to_string(i), "v"});
  for (int i = 0; i < 100; ++i) h.call(c, {"SET", "gone:" + std::to_string(i), "v"});
  // Between calls: add many keys (the table grows and rehashes) and delete others.
  auto& d = h.client();
  auto seen = scan_all(h, c, {"COUNT", "5"}, [&](int call) {
    for (int i = 0; i < 20; ++i) h.call(d, {"SET", "new:" + std::to_string(call * 20 + i), "v"});
    if (call < 100) h.call(d, {"DEL", "gone:" + std::to_string(call)});
  });
  for (int i = 0; i < 300; ++i) EXPECT_EQ(seen.count("old:" + std::to_string(i)), 1u) << i;
  for (const auto& n : seen) EXPECT_EQ(seen.count(n), 1u) << n;
}

TEST(RedisKeys, RenameMovesTheObject) {
  Harness h;
  auto& c = h.client();
  EXPECT_EQ(h.call(c, {"RENAME", "a", "b"}).error_message(), "no such key");
  h.call(c, {"HSET", "a", "f", "v"});
  EXPECT_TRUE(is_ok(h.call(c, {"RENAME", "a", "b"})));
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "a"}), 0));
  EXPECT_TRUE(is_bulk(h.call(c, {"DICT.GET", "b", "f"}), "v"));
  EXPECT_EQ(h.call(c, {"DESCRIBE", "b"}).elements.size() > 0, true);
  EXPECT_TRUE(is_bulk(*field(h.call(c, {"DESCRIBE", "b"}), "name"), "b"));
  h.call(c, {"SET", "s", "x"});
  EXPECT_TRUE(is_int(h.call(c, {"RENAMENX", "b", "s"}), 0));
  EXPECT_TRUE(is_ok(h.call(c, {"RENAME", "b", "s"})));  // replaces s
  EXPECT_EQ(h.call(c, {"TYPE", "s"}).str, "dict");
  EXPECT_TRUE(is_int(h.call(c, {"RENAMENX", "s", "t"}), 1));
  EXPECT_TRUE(is_ok(h.call(c, {"RENAME", "t", "t"})));
  EXPECT_TRUE(is_int(h.call(c, {"DBSIZE"}), 1));
}

TEST(RedisKeys, ExpiryIsUnsupported) {
  Harness h;
  auto& c = h.client();
  h.call(c, {"SET", "k", "v"});
  EXPECT_TRUE(is_int(h.call(c, {"TTL", "k"}), -1));
  EXPECT_TRUE(is_int(h.call(c, {"PTTL", "k"}), -1));
  EXPECT_TRUE(is_int(h.call(c, {"TTL", "missing"}), -2));
  EXPECT_TRUE(is_int(h.call(c, {"PERSIST", "k"}), 0));
  Reply r = h.call(c, {"EXPIRE", "k", "10"});
  EXPECT_TRUE(is_error(r, "ERR"));
  EXPECT_NE(r.error_message().find("do not expire"), std::string_view::npos);
  EXPECT_TRUE(is_int(h.call(c, {"UNLINK", "k", "nope"}), 1));
}

TEST(RedisServer, SelectConfigDbsizeFlushall) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_ok(h.call(c, {"SELECT", "0"})));
  EXPECT_EQ(h.call(c, {"SELECT", "1"}).error_message(), "DB index is out of range");
  EXPECT_EQ(strs(h.call(c, {"CONFIG", "GET", "save"})), (Strs{"save", ""}));
  EXPECT_EQ(strs(h.call(c, {"CONFIG", "GET", "appendonly"})), (Strs{"appendonly", "no"}));
  EXPECT_EQ(strs(h.call(c, {"CONFIG", "GET", "databases", "maxmemory"})),
            (Strs{"databases", "1", "maxmemory", "0"}));
  EXPECT_EQ(h.call(c, {"CONFIG", "GET", "no-such-thing"}).elements.size(), 0u);
  EXPECT_GT(h.call(c, {"CONFIG", "GET", "*"}).elements.size(), 10u);
  auto& c3 = h.client(3);
  EXPECT_EQ(h.call(c3, {"CONFIG", "GET", "save"}).type, Reply::Type::map);
  EXPECT_TRUE(is_error(h.call(c, {"CONFIG", "SET", "save", ""}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"CONFIG", "WHAT"}), "ERR"));
  h.call(c, {"SET", "a", "1"});
  h.call(c, {"LOCK.ACQUIRE", "lk"});
  EXPECT_TRUE(is_int(h.call(c, {"DBSIZE"}), 2));
  EXPECT_TRUE(is_ok(h.call(c, {"FLUSHDB", "ASYNC"})));
  EXPECT_TRUE(is_int(h.call(c, {"DBSIZE"}), 0));
  EXPECT_TRUE(is_error(h.call(c, {"FLUSHALL", "NOW"}), "ERR"));
  EXPECT_EQ(h.call(c, {"TIME"}).elements.size(), 2u);
  // Redis commands carry the redis flag.
  ASSERT_NE(h.engine().find_command("HGETALL"), nullptr);
  EXPECT_TRUE(h.engine().find_command("HGETALL")->flags & server::flag::redis);
}

}  // namespace
}  // namespace procshare::test

// DICT.SCAN, SET.SCAN and NS.SCAN through the real server (issue 16): Redis's
// HSCAN/SSCAN replies, steps of COUNT elements, and a cursor that never skips
// an element present for the whole scan, even while another client deletes
// and inserts enough to make the server compact the table between steps.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

struct Page {
  std::string cursor;
  std::vector<std::string> elements;
};

Page step(RawClient& c, const std::vector<std::string>& args) {
  Reply r = c.call(args);
  EXPECT_EQ(r.type, Reply::Type::array) << r.str;
  Page p;
  if (r.elements.size() != 2) {
    ADD_FAILURE() << args[0] << ": expected [cursor, elements]";
    return p;
  }
  EXPECT_EQ(r.elements[0].type, Reply::Type::bulk);
  EXPECT_EQ(r.elements[1].type, Reply::Type::array);
  p.cursor = r.elements[0].str;
  for (const Reply& e : r.elements[1].elements) p.elements.push_back(e.str);
  return p;
}

// Scans `key` to the end with COUNT `count`, calling `between` after each
// step; every element of every step, in order.
std::vector<std::string> scan_all(RawClient& c, const std::string& command, const std::string& key,
                                  int count, int* steps = nullptr,
                                  const std::function<void()>& between = {}) {
  std::vector<std::string> all;
  std::string cursor = "0";
  int n = 0;
  do {
    Page p = step(c, {command, key, cursor, "COUNT", std::to_string(count)});
    all.insert(all.end(), p.elements.begin(), p.elements.end());
    cursor = p.cursor;
    if (between) between();
    if (++n > 1'000'000 || cursor.empty()) break;
  } while (cursor != "0");
  if (steps) *steps = n;
  return all;
}

std::string key_of(int i) {
  return "k" + std::to_string(i);
}

TEST(ObjectScan, OneHundredThousandEntriesComeOnceEachInInsertionOrder) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  constexpr int kN = 100'000;
  for (int from = 0; from < kN; from += 10'000) {
    std::vector<std::string> d{"DICT.UPDATE", "d"}, s{"SET.ADD", "s"};
    for (int i = from; i < from + 10'000; ++i) {
      d.push_back(key_of(i));
      d.push_back("v" + std::to_string(i));
      s.push_back(key_of(i));
    }
    ASSERT_EQ(c.call(d).integer, 10'000);
    ASSERT_EQ(c.call(s).integer, 10'000);
  }
  int steps = 0;
  std::vector<std::string> items = scan_all(c, "DICT.SCAN", "d", 1000, &steps);
  ASSERT_EQ(items.size(), 2u * kN);
  for (int i = 0; i < kN; ++i) {
    ASSERT_EQ(items[2 * i], key_of(i));
    ASSERT_EQ(items[2 * i + 1], "v" + std::to_string(i));
  }
  EXPECT_EQ(steps, 100);  // exactly COUNT a step; the last one ends the scan
  std::vector<std::string> members = scan_all(c, "SET.SCAN", "s", 1000, &steps);
  ASSERT_EQ(members.size(), std::size_t{kN});
  for (int i = 0; i < kN; ++i) ASSERT_EQ(members[i], key_of(i));
  EXPECT_EQ(steps, 100);
}

// 5,000 keys that stay and 15,000 interleaved with them that another client
// deletes at random while the scan runs, inserting fresh keys too and
// deleting them two steps later: far more holes than the table keeps, so it
// is compacted (entries move left past the cursor) several times during the
// scan. Insertions stop after 10,000, so that the scan, which also reads
// what is appended meanwhile, catches up with the end.
TEST(ObjectScan, EveryElementPresentThroughoutComesAtLeastOnceWhileOthersChurn) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  auto other = RawClient::unix_socket(server.unix_path());
  constexpr int kN = 20'000;
  std::vector<std::string> update{"DICT.UPDATE", "d"};
  std::vector<std::string> add{"SET.ADD", "s"};
  std::vector<std::string> churn;
  for (int i = 0; i < kN; ++i) {
    update.push_back(key_of(i));
    update.push_back("v" + key_of(i));
    add.push_back(key_of(i));
    if (i % 4) churn.push_back(key_of(i));
  }
  for (const std::string& type : {std::string("dict"), std::string("set")}) {
    SCOPED_TRACE(type);
    const bool dict = type == "dict";
    ASSERT_EQ(c.call(dict ? update : add).integer, kN);
    std::vector<std::string> doomed = churn;
    std::mt19937 rng(16);
    int fresh = 0;
    std::vector<std::string> older, newer;  // fresh keys of the last two steps
    auto churn_step = [&] {
      std::vector<std::string> del{dict ? "HDEL" : "SET.DISCARD", dict ? "d" : "s"};
      for (int j = 0; j < 200 && !doomed.empty(); ++j) {
        const std::size_t at = rng() % doomed.size();
        del.push_back(doomed[at]);
        doomed[at] = doomed.back();
        doomed.pop_back();
      }
      del.insert(del.end(), older.begin(), older.end());
      older = std::move(newer);
      newer.clear();
      std::vector<std::string> ins{dict ? "DICT.UPDATE" : "SET.ADD", dict ? "d" : "s"};
      for (int j = 0; j < 100 && fresh < 10'000; ++j) {
        newer.push_back("new" + std::to_string(fresh++));
        ins.push_back(newer.back());
        if (dict) ins.push_back("w");
      }
      if (del.size() > 2) {
        ASSERT_EQ(other.call(del).type, Reply::Type::integer);
      }
      if (ins.size() > 2) {
        ASSERT_EQ(other.call(ins).type, Reply::Type::integer);
      }
    };
    std::vector<std::string> got =
        scan_all(c, dict ? "DICT.SCAN" : "SET.SCAN", dict ? "d" : "s", 50, nullptr, churn_step);
    std::map<std::string, int> times;
    for (std::size_t i = 0; i < got.size(); i += dict ? 2 : 1) {
      ++times[got[i]];
      if (dict && got[i].starts_with("k")) {
        EXPECT_EQ(got[i + 1], "v" + got[i]);
      }
    }
    int duplicates = 0;
    for (int i = 0; i < kN; i += 4) {
      EXPECT_GE(times[key_of(i)], 1) << key_of(i) << " was skipped";
    }
    for (const auto& [k, n] : times) {
      EXPECT_TRUE(k.starts_with("k") || k.starts_with("new")) << k;
      duplicates += n > 1;
    }
    EXPECT_TRUE(doomed.empty());  // every churned key went during the scan
    // Compaction happened under the cursor: that is what repeats elements.
    EXPECT_GT(duplicates, 0);
    ASSERT_EQ(c.call({"DEL", dict ? "d" : "s"}).integer, 1);
  }
}

TEST(ObjectScan, CountRepliesAndRespShapes) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  std::vector<std::string> update{"DICT.UPDATE", "d"};
  for (int i = 0; i < 25; ++i) {
    update.push_back(key_of(i));
    update.push_back("v");
    ASSERT_EQ(c.call({"NS.SET", "n", key_of(i), "x"}).str, "OK");
    ASSERT_EQ(c.call({"SET.ADD", "s", key_of(i)}).integer, 1);
  }
  ASSERT_EQ(c.call(update).integer, 25);
  // No COUNT: 10, as Redis's default.
  Page p = step(c, {"DICT.SCAN", "d", "0"});
  EXPECT_EQ(p.elements.size(), 20u);
  EXPECT_NE(p.cursor, "0");
  EXPECT_EQ(p.elements[0], "k0");
  p = step(c, {"DICT.SCAN", "d", p.cursor, "count", "3"});
  EXPECT_EQ(p.elements, (std::vector<std::string>{"k10", "v", "k11", "v", "k12", "v"}));
  p = step(c, {"DICT.SCAN", "d", p.cursor, "COUNT", "100"});
  EXPECT_EQ(p.elements.size(), 24u);
  EXPECT_EQ(p.cursor, "0");
  p = step(c, {"SET.SCAN", "s", "0", "COUNT", "7"});
  EXPECT_EQ(p.elements, (std::vector<std::string>{"k0", "k1", "k2", "k3", "k4", "k5", "k6"}));
  p = step(c, {"NS.SCAN", "n", "0", "COUNT", "1000"});
  EXPECT_EQ(p.elements.size(), 50u);
  EXPECT_EQ(p.elements[48], "k24");
  EXPECT_EQ(p.elements[49], "x");
  EXPECT_EQ(p.cursor, "0");
  // A cursor past the end ends the scan.
  p = step(c, {"DICT.SCAN", "d", "4294967295"});
  EXPECT_EQ(p.cursor, "0");
  EXPECT_TRUE(p.elements.empty());
  // RESP3: still [bulk, array] (Redis's HSCAN is no map).
  ASSERT_EQ(c.call({"HELLO", "3"}).type, Reply::Type::map);
  p = step(c, {"DICT.SCAN", "d", "0", "COUNT", "2"});
  EXPECT_EQ(p.elements, (std::vector<std::string>{"k0", "v", "k1", "v"}));
  // A table of holes: one step visits at most 10 x COUNT positions, and
  // may come back empty with a live cursor.
  std::vector<std::string> del{"HDEL", "d"};
  for (int i = 0; i < 12; ++i) del.push_back(key_of(i));
  ASSERT_EQ(c.call(del).integer, 12);
  p = step(c, {"DICT.SCAN", "d", "0", "COUNT", "1"});
  EXPECT_TRUE(p.elements.empty());
  EXPECT_NE(p.cursor, "0");
  EXPECT_EQ(scan_all(c, "DICT.SCAN", "d", 1).size(), 26u);
}

TEST(ObjectScan, ErrorsWrongTypeAndMissingObjects) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(c.call({"DICT.SET", "d", "k", "v"}).integer, 1);
  ASSERT_EQ(c.call({"LIST.APPEND", "l", "x"}).integer, 1);
  for (const std::string bad :
       {"abc", "-1", "", "1.5", "9223372036854775808", "18446744073709551616"}) {
    Reply r = c.call({"DICT.SCAN", "d", bad});
    EXPECT_EQ(r.type, Reply::Type::error) << bad;
    EXPECT_EQ(r.str, "ERR invalid cursor") << bad;
  }
  EXPECT_TRUE(c.call({"DICT.SCAN", "d", "0", "COUNT", "0"}).str.starts_with("VALUEERROR"));
  EXPECT_TRUE(c.call({"SET.SCAN", "d", "0", "COUNT", "-5"}).str.starts_with("VALUEERROR"));
  EXPECT_TRUE(c.call({"DICT.SCAN", "d", "0", "COUNT", "x"}).str.starts_with("ERR"));
  EXPECT_EQ(c.call({"DICT.SCAN", "d", "0", "COUNT"}).str, "ERR syntax error");
  EXPECT_EQ(c.call({"DICT.SCAN", "d", "0", "MATCH", "*"}).str, "ERR syntax error");
  EXPECT_TRUE(c.call({"DICT.SCAN", "d"}).str.starts_with("ERR wrong number of arguments"));
  // A failed argument check comes before the object: no WRONGTYPE then.
  EXPECT_EQ(c.call({"SET.SCAN", "l", "x"}).str, "ERR invalid cursor");
  for (const std::string cmd : {"DICT.SCAN", "SET.SCAN", "NS.SCAN"}) {
    EXPECT_TRUE(c.call({cmd, "l", "0"}).str.starts_with("WRONGTYPE")) << cmd;
    // A missing object is empty, as in Redis, and a read creates nothing.
    Page p = step(c, {cmd, "missing", "0"});
    EXPECT_EQ(p.cursor, "0");
    EXPECT_TRUE(p.elements.empty());
    EXPECT_EQ(c.call({"EXISTS", "missing"}).integer, 0);
  }
  EXPECT_TRUE(c.call({"DICT.SCAN", "d", "0", "COUNT", "1"}).elements.size() == 2);
}

}  // namespace
}  // namespace procshare::test

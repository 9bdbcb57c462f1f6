// CompactTable (server/src/types/compact_table.hpp), the store of dict,
// namespace and set, against a simple reference model: random sets, erases
// and LIFO pops, checking contents and insertion order as it goes.
#include <gtest/gtest.h>

#include <list>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "../../../server/src/types/compact_table.hpp"

namespace procshare::server {
namespace {

// Insertion-ordered reference: keys in a list, the map points into it.
struct Model {
  std::list<std::pair<std::string, std::string>> order;
  std::unordered_map<std::string, decltype(order)::iterator> index;

  bool set(const std::string& k, const std::string& v) {
    auto it = index.find(k);
    if (it != index.end()) {
      it->second->second = v;
      return false;
    }
    order.emplace_back(k, v);
    index[k] = std::prev(order.end());
    return true;
  }
  bool erase(const std::string& k) {
    auto it = index.find(k);
    if (it == index.end()) return false;
    order.erase(it->second);
    index.erase(it);
    return true;
  }
};

void expect_same(const CompactTable& t, const Model& m) {
  ASSERT_EQ(t.size(), m.order.size());
  std::vector<std::pair<std::string, std::string>> got;
  t.for_each([&](std::string_view k, std::string_view v) { got.emplace_back(k, v); });
  std::vector<std::pair<std::string, std::string>> want(m.order.begin(), m.order.end());
  ASSERT_EQ(got, want);
}

TEST(CompactTable, RandomOperationsMatchModel) {
  std::mt19937 rng(12345);
  CompactTable t;
  Model m;
  auto key = [&](int space) { return "k" + std::to_string(rng() % space); };
  for (int round = 0; round < 40; ++round) {
    // Alternate growing and shrinking phases, so rebuilds happen both ways.
    const bool grow = round % 4 != 3;
    const int space = 50 + round * 37;
    for (int i = 0; i < 500; ++i) {
      const unsigned op = rng() % 10;
      if (op < (grow ? 6u : 2u)) {
        std::string k = key(space);
        // Values of several sizes, so replacing changes the record size.
        std::string v(rng() % 40, static_cast<char>('a' + rng() % 26));
        ASSERT_EQ(t.set(k, v), m.set(k, v));
      } else if (op < 8) {
        std::string k = key(space);
        ASSERT_EQ(t.erase(k), m.erase(k));
      } else if (op < 9) {
        const std::size_t pos = t.back();
        if (m.order.empty()) {
          ASSERT_EQ(pos, CompactTable::npos);
        } else {
          ASSERT_NE(pos, CompactTable::npos);
          ASSERT_EQ(t.key_at(pos), m.order.back().first);
          ASSERT_EQ(t.value_at(pos), m.order.back().second);
          std::string k(t.key_at(pos));
          t.erase_at(pos);
          m.erase(k);
        }
      } else {
        std::string k = key(space);
        const std::size_t pos = t.find(k);
        auto it = m.index.find(k);
        ASSERT_EQ(pos != CompactTable::npos, it != m.index.end());
        if (pos != CompactTable::npos) {
          ASSERT_EQ(t.value_at(pos), it->second->second);
        }
      }
    }
    expect_same(t, m);
  }
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.back(), CompactTable::npos);
  EXPECT_TRUE(t.set("again", "1"));
  EXPECT_EQ(t.value_at(t.find("again")), "1");
}

TEST(CompactTable, LongKeysAndValuesAndEmptyStrings) {
  CompactTable t;
  std::string big_key(100000, 'k');
  std::string big_value(300000, 'v');
  EXPECT_TRUE(t.set(big_key, big_value));
  EXPECT_TRUE(t.set("", ""));
  EXPECT_TRUE(t.set(std::string("\0\x80\xff", 3), "x"));
  EXPECT_EQ(t.value_at(t.find(big_key)), big_value);
  EXPECT_EQ(t.value_at(t.find("")), "");
  EXPECT_EQ(t.value_at(t.find(std::string("\0\x80\xff", 3))), "x");
  t.set_value_at(t.find(big_key), "short");
  EXPECT_EQ(t.value_at(t.find(big_key)), "short");
  EXPECT_EQ(t.key_at(t.find(big_key)), big_key);
  EXPECT_FALSE(t.contains("nope"));
}

TEST(CompactTable, DrainFromTheFrontThenRefill) {
  CompactTable t;
  for (int i = 0; i < 10000; ++i) t.set(std::to_string(i), "v");
  for (int i = 0; i < 9990; ++i) ASSERT_TRUE(t.erase(std::to_string(i)));
  EXPECT_EQ(t.size(), 10u);
  std::vector<std::string> keys;
  t.for_each([&](std::string_view k, std::string_view) { keys.emplace_back(k); });
  ASSERT_EQ(keys.size(), 10u);
  EXPECT_EQ(keys.front(), "9990");
  EXPECT_EQ(keys.back(), "9999");
  for (int i = 0; i < 10000; ++i) t.set("n" + std::to_string(i), "w");
  EXPECT_EQ(t.size(), 10010u);
  EXPECT_EQ(t.key_at(t.back()), "n9999");
}

// scan() in steps while random sets, erases, pops and clears happen between
// them: every key present for the whole scan comes at least once, and a scan
// of an unchanged table gives each key exactly once, in insertion order.
TEST(CompactTable, ScanNeverSkipsWhatStaysThroughChurn) {
  std::size_t duplicates = 0;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    CompactTable t;
    const int n = 200 + static_cast<int>(rng() % 2000);
    for (int i = 0; i < n; ++i) t.set("k" + std::to_string(i), "v");
    // Keys never touched while scanning: half of the initial ones.
    std::vector<std::string> staying;
    std::vector<std::string> churn;
    for (int i = 0; i < n; ++i) (i % 2 ? churn : staying).push_back("k" + std::to_string(i));
    std::map<std::string, int> seen;
    int fresh = 0;
    std::uint64_t cursor = 0;
    const std::size_t count = 1 + rng() % 40;
    int steps = 0;
    do {
      ASSERT_TRUE(CompactTable::valid_scan_cursor(cursor));
      std::size_t got = 0;
      cursor = t.scan(cursor, count, [&](std::string_view k, std::string_view) {
        ++seen[std::string(k)];
        ++got;
      });
      ASSERT_LE(got, count);
      // Churn: erase some of the others (anywhere: before or after the
      // cursor), add new ones and erase the newest (LIFO trims).
      for (int j = static_cast<int>(rng() % 30); j > 0 && !churn.empty(); --j) {
        const std::size_t at = rng() % churn.size();
        t.erase(churn[at]);
        churn[at] = churn.back();
        churn.pop_back();
      }
      // Bounded, or a scan slower than the appends would chase the end.
      for (int j = static_cast<int>(rng() % 20); j > 0 && fresh < n; --j) {
        churn.push_back("new" + std::to_string(fresh++));
        t.set(churn.back(), "w");
      }
      if (rng() % 4 == 0 && !churn.empty() && t.key_at(t.back()) == churn.back()) {
        t.erase_at(t.back());  // the newest: trims the end
        churn.pop_back();
      }
      ASSERT_LT(++steps, 100'000);
    } while (cursor != 0);
    for (const std::string& k : staying) {
      ASSERT_TRUE(t.contains(k));
      EXPECT_GE(seen[k], 1) << "seed " << seed << " skipped " << k;
    }
    for (const auto& [k, times] : seen) duplicates += times > 1;

    // Unchanged from now on: each live key once, in order.
    std::vector<std::string> want, got;
    t.for_each([&](std::string_view k, std::string_view) { want.emplace_back(k); });
    cursor = 0;
    do {
      cursor =
          t.scan(cursor, count, [&](std::string_view k, std::string_view) { got.emplace_back(k); });
    } while (cursor != 0);
    EXPECT_EQ(got, want) << "seed " << seed;
  }
  // Compactions did happen mid-scan (they are what makes duplicates).
  EXPECT_GT(duplicates, 0u);
}

// A table of holes: a step visits at most 10 * count positions, so it may
// end with nothing and a live cursor; the scan still ends, with each key.
TEST(CompactTable, ScanStepsOverHolesInBoundedWork) {
  CompactTable t;
  for (int i = 0; i < 1000; ++i) t.set("k" + std::to_string(i), "v");
  for (int i = 0; i < 450; ++i) t.erase("k" + std::to_string(i));  // 450 holes, no sweep
  std::size_t got = 0;
  std::uint64_t cursor = t.scan(0, 10, [&](std::string_view, std::string_view) { ++got; });
  EXPECT_EQ(got, 0u);
  EXPECT_NE(cursor, 0u);
  std::vector<std::string> keys;
  int steps = 1;
  while (cursor != 0) {
    cursor =
        t.scan(cursor, 10, [&](std::string_view k, std::string_view) { keys.emplace_back(k); });
    ++steps;
  }
  ASSERT_EQ(keys.size(), 550u);
  EXPECT_EQ(keys.front(), "k450");
  EXPECT_EQ(keys.back(), "k999");
  // Four steps of 100 holes, one of 50 holes and 10 keys, 54 of 10 keys.
  EXPECT_EQ(steps, 59);
  // Past the end, or on an empty table: done at once.
  EXPECT_EQ(t.scan(std::uint64_t{1} << 31, 10, [](auto, auto) {}), 0u);
  CompactTable empty;
  EXPECT_EQ(empty.scan(0, 10, [](auto, auto) {}), 0u);
}

}  // namespace
}  // namespace procshare::server

// IdTable (server/src/types/id_table.hpp), a queue's deliveries in flight,
// against std::map: growing ids mostly appended, some inserted out of order
// (as a log replay or a snapshot restore does), erases anywhere, checking
// lookups, size and id-ordered iteration as it goes.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../../../server/src/types/id_table.hpp"

namespace procshare::server {
namespace {

void expect_same(const IdTable<std::string>& t, const std::map<std::int64_t, std::string>& m) {
  ASSERT_EQ(t.size(), m.size());
  using Items = std::vector<std::pair<std::int64_t, std::string>>;
  Items seen;
  for (const auto& [id, v] : t) seen.emplace_back(id, v);
  EXPECT_EQ(seen, Items(m.begin(), m.end()));
}

TEST(IdTable, MatchesAMapUnderRandomAppendsInsertsAndErases) {
  std::mt19937_64 rng(42);
  IdTable<std::string> t;
  std::map<std::int64_t, std::string> m;
  std::int64_t next = 0;
  for (int step = 0; step < 50000; ++step) {
    const int op = static_cast<int>(rng() % 10);
    if (op < 5 || m.empty()) {  // a new delivery
      next += 1 + static_cast<std::int64_t>(rng() % 3);
      const std::string v = "item" + std::to_string(next);
      ASSERT_TRUE(t.emplace(next, v));
      m.emplace(next, v);
    } else if (op == 5) {  // an id below the newest (replay, restore)
      const std::int64_t id = 1 + static_cast<std::int64_t>(rng() % next);
      const bool fresh = !m.contains(id);
      ASSERT_EQ(t.emplace(id, "old" + std::to_string(id)), fresh);
      if (fresh) m.emplace(id, "old" + std::to_string(id));
    } else {  // settle one: often the oldest or newest, else anywhere
      auto it = m.begin();
      if (op == 7) it = std::prev(m.end());
      if (op >= 8) std::advance(it, static_cast<std::ptrdiff_t>(rng() % m.size()));
      auto* e = t.find(it->first);
      ASSERT_NE(e, nullptr);
      ASSERT_EQ(e->second, it->second);
      t.erase(e);
      m.erase(it);
    }
    const std::int64_t probe = static_cast<std::int64_t>(rng() % (next + 2));
    ASSERT_EQ(t.contains(probe), m.contains(probe)) << probe;
    if (step % 2000 == 0) expect_same(t, m);
  }
  expect_same(t, m);
}

TEST(IdTable, InsertFillsInPlaceAndErasedIdsCanComeBack) {
  IdTable<std::string> t;
  t.insert(5) = "five";
  t.insert(9) = "nine";
  t.insert(7) = "seven";  // out of order
  EXPECT_EQ(t.size(), 3u);
  t.erase(t.find(7));
  EXPECT_FALSE(t.contains(7));
  EXPECT_TRUE(t.emplace(7, "again"));
  EXPECT_EQ(t.find(7)->second, "again");
  EXPECT_FALSE(t.emplace(9, "twice"));
  t.erase(t.find(5));
  t.erase(t.find(9));
  t.erase(t.find(7));
  EXPECT_TRUE(t.empty());
  EXPECT_EQ(t.begin(), t.end());
}

}  // namespace
}  // namespace procshare::server

// Issue 12 through the real server: memory has a ceiling (--maxmemory,
// array lengths), O(n) commands do not stall the loop, limits agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::string frame(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// One DICT.UPDATE of `n` 1 KB values under keys prefixed by `tag`.
std::vector<std::string> kilobyte_values(const std::string& dict, const std::string& tag, int n) {
  std::vector<std::string> args{"DICT.UPDATE", dict};
  for (int i = 0; i < n; ++i) {
    args.push_back(tag + std::to_string(i));
    args.push_back(std::string(1024, 'v'));
  }
  return args;
}

TEST(Maxmemory, GrowingCommandsAreRefusedPastItWhileReadsDeletesAndWaitsGoOn) {
  ServerProcess::Options o;
  o.args = {"--maxmemory", "24mb"};
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(info_field(c, "maxmemory"), 24L * 1024 * 1024);
  ASSERT_EQ(c.call({"DICT.SET", "small", "k", "v"}).integer, 1);
  ASSERT_EQ(c.call({"QUEUE.PUT", "q", "item"}).str, "OK");
  // Fill in 100 KB steps until the server says no: memory stays under the
  // limit but for the last request's worth.
  std::string refused;
  for (int batch = 0; batch < 1000 && refused.empty(); ++batch) {
    Reply r = c.call(kilobyte_values("big", "b" + std::to_string(batch) + ":", 100));
    if (r.type == Reply::Type::error) refused = r.str;
  }
  ASSERT_EQ(refused, "OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_LT(info_field(c, "used_memory"), 24L * 1024 * 1024 + 1024 * 1024);
  // Well over it (the limit lowered at run time to 4 MB under what is used):
  const long used = info_field(c, "used_memory");
  ASSERT_EQ(c.call({"CONFIG", "SET", "maxmemory", std::to_string(used - 4 * 1024 * 1024)}).str,
            "OK");
  // What grows is refused, and a refused command changes nothing...
  for (auto args : std::vector<std::vector<std::string>>{{"DICT.SET", "small", "k2", "v"},
                                                         {"LIST.APPEND", "l", "x"},
                                                         {"CREATE", "dict", "fresh"},
                                                         {"SET", "s", "v"},
                                                         {"QUEUE.PUT", "q", "more"}}) {
    Reply r = c.call(args);
    EXPECT_TRUE(starts_with(r.str, "OOM ")) << args[0] << ": " << r.str;
  }
  EXPECT_EQ(c.call({"EXISTS", "l", "fresh", "s"}).integer, 0);
  // ...while reads, deletes, pops and waits go on.
  EXPECT_EQ(c.call({"DICT.GET", "small", "k"}).str, "v");
  EXPECT_EQ(c.call({"DICT.LEN", "small"}).integer, 1);
  EXPECT_EQ(c.call({"QUEUE.GET", "q", "NOWAIT"}).str, "item");
  EXPECT_EQ(c.call({"QUEUE.GET", "q", "TIMEOUT", "0.05"}).type, Reply::Type::error);
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  EXPECT_EQ(c.call({"DEL", "big"}).integer, 1);
  // Back under the limit: writes work again.
  EXPECT_TRUE(wait_until([&] { return info_field(c, "used_memory") < used - 8L * 1024 * 1024; }));
  EXPECT_EQ(c.call({"DICT.SET", "small", "k2", "v"}).integer, 1);
  EXPECT_NE(c.call({"INFO", "memory"}).str.find("maxmemory_policy:noeviction"), std::string::npos);
}

TEST(Maxmemory, ConfigGetAndSetChangeItAtRunTime) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  Reply got = c.call({"CONFIG", "GET", "maxmemory"});
  ASSERT_EQ(got.elements.size(), 2u);
  EXPECT_EQ(got.elements[1].str, "0");
  // A limit below what the server already uses refuses every growing command.
  ASSERT_EQ(c.call({"CONFIG", "SET", "maxmemory", "1kb"}).str, "OK");
  EXPECT_EQ(c.call({"CONFIG", "GET", "maxmemory"}).elements.at(1).str, "1024");
  EXPECT_TRUE(starts_with(c.call({"VALUE.SET", "v", "1"}).str, "OOM "));
  EXPECT_TRUE(starts_with(c.call({"CONFIG", "SET", "maxmemory", "lots"}).str, "ERR "));
  ASSERT_EQ(c.call({"CONFIG", "SET", "maxmemory", "0"}).str, "OK");
  EXPECT_EQ(c.call({"VALUE.SET", "v", "1"}).str, "OK");
  // COMMAND INFO shows the flag as Redis names it.
  EXPECT_NE(c.call({"COMMAND", "INFO", "DICT.SET"}).elements.at(0).elements.at(2).elements.size(),
            0u);
}

TEST(Arrays, LengthIsCappedByAFlagAndCountedAgainstMaxmemory) {
  ServerProcess::Options o;
  o.args = {"--maxmemory", "64mb"};
  ServerProcess server(o);
  auto c = RawClient::unix_socket(server.unix_path());
  // The 77-byte request that took 512 MB and 1.4 s of the loop.
  Reply r = c.call({"CREATE", "array", "a", "TYPE", "int", "LEN", "67108864"});
  EXPECT_EQ(r.str, "LIMIT array length 67108864 exceeds max-array-len (1048576 elements)");
  EXPECT_EQ(c.call({"EXISTS", "a"}).integer, 0);
  EXPECT_EQ(c.call({"CREATE", "array", "a", "TYPE", "int", "LEN", "1048576"}).str, "OK");
  EXPECT_EQ(c.call({"ARRAY.LEN", "a"}).integer, 1048576);
  ServerProcess::Options big;
  big.args = {"--maxmemory", "16mb", "--max-array-len", "100000000"};
  ServerProcess roomy(big);
  auto d = RawClient::unix_socket(roomy.unix_path());
  // 8 bytes an element: 32 MB is past 16 MB before one byte is allocated.
  EXPECT_TRUE(
      starts_with(d.call({"CREATE", "array", "b", "TYPE", "float", "LEN", "4000000"}).str, "OOM "));
  EXPECT_EQ(d.call({"EXISTS", "b"}).integer, 0);
  EXPECT_LT(info_field(d, "used_memory"), 16L * 1024 * 1024);
}

// A SCAN call costs O(COUNT) (docs/redis.md has the figures): each page is
// COUNT names, and a full scan returns every name exactly once while the
// keyspace changes under it.
TEST(Scan, CursorResumesWhereItStoppedAndReturnsEachNameOnce) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  std::vector<std::string> mset{"MSET"};
  for (int i = 0; i < 2000; ++i) {
    mset.push_back("k" + std::to_string(i));
    mset.push_back("v");
  }
  ASSERT_EQ(c.call(mset).str, "OK");
  std::map<std::string, int> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    Reply r = c.call({"SCAN", cursor, "COUNT", "7"});
    ASSERT_EQ(r.elements.size(), 2u);
    cursor = r.elements[0].str;
    EXPECT_LE(r.elements[1].elements.size(), 8u);  // 7, or 8 on a hash tie
    for (const auto& n : r.elements[1].elements) ++seen[n.str];
    if (++calls == 10) {  // meanwhile: names come and go
      ASSERT_EQ(c.call({"SET", "new-one", "v"}).str, "OK");
      ASSERT_EQ(c.call({"DEL", "k1999"}).integer, 1);
    }
  } while (cursor != "0" && calls < 10000);
  EXPECT_GE(calls, 2000 / 8);
  for (int i = 0; i < 1999; ++i) EXPECT_EQ(seen["k" + std::to_string(i)], 1) << i;
  for (const auto& [name, n] : seen) EXPECT_EQ(n, 1) << name;
}

// Past 10,000 objects OBJECTS and KEYS walk in steps, serving others between
// them: the answer is the same, and another client is answered meanwhile.
TEST(Objects, ALargeKeyspaceIsWalkedInStepsWithTheSameAnswer) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  constexpr int kObjects = 25'000;
  for (int i = 0; i < kObjects; ++i) c.send({"CREATE", "value", "v" + std::to_string(i)});
  for (int i = 0; i < kObjects; ++i) ASSERT_EQ(c.read().str, "OK") << i;
  Reply all = c.call({"OBJECTS", "v*"});
  ASSERT_EQ(all.elements.size(), static_cast<std::size_t>(kObjects));
  EXPECT_TRUE(std::is_sorted(all.elements.begin(), all.elements.end(),
                             [](const Reply& a, const Reply& b) { return a.str < b.str; }));
  Reply first = c.call({"OBJECTS", "*", "LIMIT", "3"});
  ASSERT_EQ(first.elements.size(), 3u);
  EXPECT_EQ(first.elements[0].str, "v0");
  EXPECT_EQ(first.elements[1].str, "v1");
  EXPECT_EQ(first.elements[2].str, "v10");
  EXPECT_EQ(c.call({"KEYS", "v1????"}).elements.size(), 10'000u);
  // A pipeline behind the walk keeps its order; another client is served.
  auto other = RawClient::unix_socket(server.unix_path());
  c.send({"OBJECTS", "*"});
  c.send({"PING"});
  EXPECT_EQ(other.call({"PING"}).str, "PONG");
  EXPECT_EQ(c.read().elements.size(), static_cast<std::size_t>(kObjects));
  EXPECT_EQ(c.read().str, "PONG");
}

// A large FLUSHALL empties the keyspace at once and frees the objects a
// step per turn: waiters hear at once, new objects can be made at once,
// and the memory comes back once the steps are done.
TEST(Objects, ALargeFlushIsFreedInSteps) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  const long before = info_field(c, "used_memory");
  auto waiter = RawClient::unix_socket(server.unix_path());
  waiter.send({"QUEUE.GET", "q0"});
  ASSERT_TRUE(wait_until([&] { return info_field(c, "blocked_clients") == 1; }));
  constexpr int kObjects = 25'000;
  for (int i = 0; i < kObjects; ++i) c.send({"DICT.SET", "d" + std::to_string(i), "k", "v"});
  for (int i = 0; i < kObjects; ++i) ASSERT_EQ(c.read().integer, 1) << i;
  const long filled = info_field(c, "used_memory");
  ASSERT_GT(filled, before + kObjects * 100L);
  ASSERT_EQ(c.call({"FLUSHALL"}).str, "OK");
  EXPECT_TRUE(waiter.read().str.starts_with("NOTFOUND"));
  EXPECT_EQ(c.call({"OBJECTS"}).elements.size(), 0u);
  EXPECT_EQ(c.call({"DICT.SET", "d0", "k", "new"}).integer, 1);
  EXPECT_EQ(c.call({"DICT.GET", "d0", "k"}).str, "new");
  EXPECT_TRUE(wait_until([&] {
    return info_field(c, "used_memory") < before + (filled - before) / 4;
  })) << "before "
      << before << " filled " << filled << " now " << info_field(c, "used_memory");
}

TEST(Objects, LimitGivesTheFirstNamesAndInfoCountsKeepUp) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  for (const char* n : {"d3", "d1", "d2"}) ASSERT_EQ(c.call({"CREATE", "dict", n}).str, "OK");
  ASSERT_EQ(c.call({"CREATE", "queue", "q"}).str, "OK");
  Reply r = c.call({"OBJECTS", "d*", "LIMIT", "2"});
  ASSERT_EQ(r.elements.size(), 2u);
  EXPECT_EQ(r.elements[0].str, "d1");
  EXPECT_EQ(r.elements[1].str, "d2");
  EXPECT_EQ(c.call({"OBJECTS", "LIMIT", "0"}).elements.size(), 0u);
  EXPECT_EQ(c.call({"OBJECTS", "LIMIT"}).elements.size(), 0u);  // a pattern named LIMIT
  EXPECT_EQ(c.call({"OBJECTS", "*", "LIMIT", "-1"}).str.rfind("VALUEERROR", 0), 0u);
  EXPECT_EQ(c.call({"OBJECTS", "*", "LIMITS", "1"}).str, "ERR syntax error");
  EXPECT_EQ(info_field(c, "type_dict"), 3);
  EXPECT_EQ(info_field(c, "type_queue"), 1);
  ASSERT_EQ(c.call({"DEL", "d1"}).integer, 1);
  ASSERT_EQ(c.call({"RENAME", "d2", "e2"}).str, "OK");
  EXPECT_EQ(info_field(c, "type_dict"), 2);
  EXPECT_EQ(info_field(c, "objects"), 3);
  ASSERT_EQ(c.call({"FLUSHALL"}).str, "OK");
  EXPECT_EQ(c.call({"INFO", "objects"}).str.find("type_"), std::string::npos);
  auto waiter = RawClient::unix_socket(server.unix_path());
  waiter.send({"QUEUE.GET", "q2"});
  EXPECT_TRUE(wait_until([&] { return info_field(c, "waiters") == 1; }));
}

// An idle connection holding a partial request keeps that request plus a
// 16 KiB read buffer, not the 128 KiB it held before (issue 12).
TEST(Memory, IdleConnectionsWithAPartialFrameHoldLittle) {
  ServerProcess server;
  auto admin = RawClient::unix_socket(server.unix_path());
  const long before = info_field(admin, "used_memory");
  constexpr int kClients = 200;
  std::vector<RawClient> idle;
  for (int i = 0; i < kClients; ++i) {
    idle.push_back(RawClient::unix_socket(server.unix_path()));
    idle.back().send_raw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$400\r\n" + std::string(100, 'x'));
  }
  ASSERT_TRUE(wait_until([&] { return info_field(admin, "connected_clients") == kClients + 1; }));
  long per = 0;
  // Settled once every connection has read its bytes and gone idle.
  EXPECT_TRUE(wait_until([&] {
    per = (info_field(admin, "used_memory") - before) / kClients;
    return per < 40 * 1024;
  })) << per
      << " bytes per idle connection";
}

// Issue 12, "limits agree": a value --max-bulk lets in is read back even
// when it is bigger than --max-output-buffer, because the limit applies to
// the replies queued beyond the largest one (as Redis's applies to a
// backlog). The flags are scaled down 64 times from their defaults.
TEST(OutputBuffer, AValueOfMaxBulkIsReadBackWhenOverTheOutputLimit) {
  ServerProcess server({.args = {"--max-bulk", "8mb", "--max-output-buffer", "4mb"}});
  auto c = RawClient::unix_socket(server.unix_path());
  const std::string big(8 * 1024 * 1024, 'b');
  ASSERT_EQ(c.call({"SET", "big", big}, 30s).str, "OK");
  Reply r = c.call({"GET", "big"}, 30s);
  EXPECT_EQ(r.str.size(), big.size());
  EXPECT_TRUE(r.str == big);
  // Small replies queued before and after it, all sent before reading.
  auto reader = RawClient::unix_socket(server.unix_path());
  reader.send_raw(frame({"PING", "a"}) + frame({"GET", "big"}) + frame({"PING", "b"}) +
                  frame({"STRLEN", "big"}));
  EXPECT_EQ(reader.read().str, "a");
  EXPECT_EQ(reader.read(30s).str.size(), big.size());
  EXPECT_EQ(reader.read().str, "b");
  EXPECT_EQ(reader.read().integer, static_cast<long>(big.size()));
  EXPECT_EQ(info_field(c, "output_buffer_disconnects"), 0);
  // The limit still bounds the backlog: a client that asks for the value
  // three times and reads nothing is cut off at the second reply.
  auto lazy = RawClient::unix_socket(server.unix_path());
  lazy.send_raw(frame({"GET", "big"}) + frame({"GET", "big"}) + frame({"GET", "big"}));
  ASSERT_TRUE(wait_until([&] { return info_field(c, "output_buffer_disconnects") == 1; }));
  EXPECT_TRUE(lazy.closed_by_peer(30s));
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
}

// A partial SET of an 8 MB value with `sent` bytes of it, on its own connection.
std::string partial_set(const std::string& key, std::size_t sent) {
  return "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n$8388608\r\n" +
         std::string(sent, 'p');
}

// Issue 12: six partial 200 MB bulks took 1.27 GB. The sum of the input held
// for all clients is bounded by --max-pending-input: the client that would
// take it past gets -LIMIT and is closed, the others go on (scaled down:
// 6 MB of 8 MB bulks against a 21 MB budget: three fit, and then each can
// complete in turn).
TEST(PendingInput, PartialBulksOfAllClientsStayWithinTheBudget) {
  ServerProcess server({.args = {"--max-bulk", "8mb", "--max-pending-input", "21mb"}});
  auto admin = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(info_field(admin, "max_pending_input"), 21L * 1024 * 1024);
  constexpr int kClients = 6;
  constexpr std::size_t kSent = 6 * 1024 * 1024;
  std::vector<RawClient> uploaders;
  for (int i = 0; i < kClients; ++i)
    uploaders.push_back(RawClient::unix_socket(server.unix_path()));
  {
    // Each in its own thread: a refused client's send ends when it is closed.
    std::vector<std::thread> senders;
    for (int i = 0; i < kClients; ++i) {
      senders.emplace_back([&, i] {
        try {
          uploaders[i].send_raw(partial_set("k" + std::to_string(i), kSent));
        } catch (const std::exception&) {
        }
      });
    }
    for (auto& t : senders) t.join();
  }
  // Four would pass 21 MB: whichever crosses it is refused, until three are
  // left. (INFO's own request is held while it runs: hence the slack.)
  const long held = 3 * static_cast<long>(partial_set("k0", kSent).size());
  long seen = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        seen = info_field(admin, "pending_input");
        return info_field(admin, "pending_input_refusals") == 3 && seen >= held &&
               seen < held + 1024;
      },
      30s))
      << seen;
  EXPECT_LE(held, 21L * 1024 * 1024);
  // Others are served meanwhile.
  auto other = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(other.call({"PING"}).str, "PONG");
  EXPECT_EQ(other.call({"SET", "small", "v"}).str, "OK");
  std::vector<int> kept;
  for (int i = 0; i < kClients; ++i) {
    std::string said = uploaders[i].read_raw(500ms);
    if (said.empty()) {
      kept.push_back(i);
    } else {
      EXPECT_TRUE(starts_with(said,
                              "-LIMIT request refused: input held for all clients would "
                              "pass max-pending-input (22020096 bytes)"))
          << said;
      EXPECT_TRUE(uploaders[i].closed_by_peer());
    }
  }
  ASSERT_EQ(kept.size(), 3u);
  // The three held requests complete and are stored; the refused ones never ran.
  for (int i : kept) {
    uploaders[i].send_raw(std::string(8388608 - kSent, 'p') + "\r\n");
    EXPECT_EQ(uploaders[i].read(30s).str, "OK");
  }
  for (int i = 0; i < kClients; ++i) {
    const bool stored = std::find(kept.begin(), kept.end(), i) != kept.end();
    EXPECT_EQ(other.call({"STRLEN", "k" + std::to_string(i)}).integer, stored ? 8388608 : 0);
  }
  EXPECT_LT(info_field(admin, "pending_input"), 1024);  // INFO's own request
}

// The budget never refuses the only client holding input: whatever the
// request limits accept can be sent, even past --max-pending-input.
TEST(PendingInput, ALoneRequestIsNeverRefused) {
  ServerProcess server({.args = {"--max-bulk", "8mb", "--max-pending-input", "1mb"}});
  auto c = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(c.call({"SET", "big", std::string(8 * 1024 * 1024, 'x')}, 30s).str, "OK");
  EXPECT_EQ(c.call({"STRLEN", "big"}).integer, 8 * 1024 * 1024);
  EXPECT_EQ(info_field(c, "pending_input_refusals"), 0);
}

}  // namespace
}  // namespace procshare::test

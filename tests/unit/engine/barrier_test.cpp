// barrier: arrival indexes, cycles, and every way it breaks (timeout, abort,
// reset, a departed waiter).
#include <set>

#include "sync_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Barrier, EightPartiesGetDistinctIndexes) {
  Harness h;
  std::vector<Harness::Client*> cs;
  for (int i = 0; i < 8; ++i) cs.push_back(&h.client());
  EXPECT_TRUE(is_ok(h.call(*cs[0], {"CREATE", "barrier", "b", "PARTIES", "8"})));
  for (int cycle = 0; cycle < 2; ++cycle) {
    for (int i = 0; i < 7; ++i) send_parked(h, *cs[i], {"BARRIER.WAIT", "b"});
    EXPECT_TRUE(is_int(h.call(*cs[7], {"BARRIER.WAITING", "b"}), 7));
    EXPECT_TRUE(is_int(h.call(*cs[7], {"BARRIER.WAIT", "b"}), 7));  // the last arrival
    std::set<std::int64_t> seen{7};
    for (int i = 0; i < 7; ++i) {
      Reply r = h.next_reply(*cs[i]).value();
      ASSERT_EQ(r.type, Reply::Type::integer);
      EXPECT_EQ(r.integer, i);  // the index is the arrival order
      seen.insert(r.integer);
    }
    EXPECT_EQ(seen.size(), 8u);
    EXPECT_TRUE(is_int(h.call(*cs[0], {"BARRIER.WAITING", "b"}), 0));
  }
  EXPECT_TRUE(is_int(h.call(*cs[0], {"BARRIER.PARTIES", "b"}), 8));
  EXPECT_TRUE(is_int(h.call(*cs[0], {"BARRIER.BROKEN", "b"}), 0));
}

TEST(Barrier, SinglePartyPassesAtOnce) {
  Harness h;
  auto& a = h.client();
  h.call(a, {"CREATE", "barrier", "b", "PARTIES", "1"});
  EXPECT_TRUE(is_int(h.call(a, {"BARRIER.WAIT", "b"}), 0));
  EXPECT_TRUE(is_int(h.call(a, {"BARRIER.WAIT", "b"}), 0));
}

TEST(Barrier, TimeoutBreaksItForEveryone) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  h.call(a, {"CREATE", "barrier", "b", "PARTIES", "3"});
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  send_parked(h, b, {"BARRIER.WAIT", "b", "TIMEOUT", "1"});
  EXPECT_TRUE(is_error(h.expire(b).value(), "BROKEN"));
  EXPECT_TRUE(is_error(h.next_reply(a).value(), "BROKEN"));
  EXPECT_TRUE(is_int(h.call(c, {"BARRIER.BROKEN", "b"}), 1));
  EXPECT_TRUE(is_int(describe_field(h, c, "b", "broken"), 1));
  EXPECT_TRUE(is_error(h.call(c, {"BARRIER.WAIT", "b"}), "BROKEN"));
  EXPECT_TRUE(is_ok(h.call(c, {"BARRIER.RESET", "b"})));
  EXPECT_TRUE(is_int(h.call(c, {"BARRIER.BROKEN", "b"}), 0));
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  send_parked(h, b, {"BARRIER.WAIT", "b"});
  EXPECT_TRUE(is_int(h.call(c, {"BARRIER.WAIT", "b"}), 2));
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 0));
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 1));
}

TEST(Barrier, ZeroTimeoutBreaksItUnlessLast) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "barrier", "b", "PARTIES", "3"});
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  EXPECT_TRUE(is_error(h.call(b, {"BARRIER.WAIT", "b", "TIMEOUT", "0"}), "BROKEN"));
  EXPECT_TRUE(is_error(h.next_reply(a).value(), "BROKEN"));
  // The last arrival does not wait at all, so TIMEOUT 0 passes (as in Python).
  h.call(a, {"BARRIER.RESET", "b"});
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  send_parked(h, b, {"BARRIER.WAIT", "b"});
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(c, {"BARRIER.WAIT", "b", "TIMEOUT", "0"}), 2));
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 0));
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 1));
}

TEST(Barrier, ResetFailsWaitersButStaysUsable) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  h.call(a, {"CREATE", "barrier", "b", "PARTIES", "3"});
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  send_parked(h, b, {"BARRIER.WAIT", "b"});
  EXPECT_TRUE(is_ok(h.call(c, {"BARRIER.RESET", "b"})));
  EXPECT_TRUE(is_error(h.next_reply(a).value(), "BROKEN"));
  EXPECT_TRUE(is_error(h.next_reply(b).value(), "BROKEN"));
  EXPECT_TRUE(is_int(h.call(c, {"BARRIER.BROKEN", "b"}), 0));
  EXPECT_TRUE(is_int(h.call(c, {"BARRIER.WAITING", "b"}), 0));
  send_parked(h, c, {"BARRIER.WAIT", "b"});  // a fresh cycle: index 0
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  EXPECT_TRUE(is_int(h.call(b, {"BARRIER.WAIT", "b"}), 2));
  EXPECT_TRUE(is_int(h.next_reply(c).value(), 0));
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 1));
}

TEST(Barrier, AbortBreaksIt) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "barrier", "b", "PARTIES", "2"});
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  EXPECT_TRUE(is_ok(h.call(b, {"BARRIER.ABORT", "b"})));
  EXPECT_TRUE(is_error(h.next_reply(a).value(), "BROKEN"));
  EXPECT_TRUE(is_error(h.call(b, {"BARRIER.WAIT", "b"}), "BROKEN"));
  EXPECT_TRUE(is_int(h.call(b, {"BARRIER.BROKEN", "b"}), 1));
}

TEST(Barrier, DepartedWaiterBreaksIt) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  h.call(a, {"CREATE", "barrier", "b", "PARTIES", "3"});
  send_parked(h, a, {"BARRIER.WAIT", "b"});
  send_parked(h, b, {"BARRIER.WAIT", "b"});
  h.disconnect(b);
  EXPECT_TRUE(is_error(h.next_reply(a).value(), "BROKEN"));
  EXPECT_TRUE(is_error(h.call(c, {"BARRIER.WAIT", "b"}), "BROKEN"));
}

TEST(Barrier, DeleteFailsWaiters) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "barrier", "b", "PARTIES", "2"});
  send_parked(h, b, {"BARRIER.WAIT", "b"});
  EXPECT_TRUE(is_int(h.call(a, {"DEL", "b"}), 1));
  EXPECT_TRUE(is_error(h.next_reply(b).value(), "NOTFOUND"));
}

TEST(Barrier, NeverImplicitAndOptions) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_error(h.call(a, {"BARRIER.WAIT", "b"}), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.call(a, {"BARRIER.ABORT", "b"}), "NOTFOUND"));
  EXPECT_TRUE(is_int(h.call(a, {"EXISTS", "b"}), 0));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "barrier", "b"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "barrier", "b", "PARTIES", "0"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "barrier", "b", "PARTIES", "two"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "barrier", "b", "PARTIES", "2", "LIFO"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "barrier", "b", "PARTIES", "2"})));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "barrier", "b", "PARTIES", "2", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "barrier", "b", "PARTIES", "3", "EXISTOK"}), "EXISTS"));
  EXPECT_TRUE(is_int(describe_field(h, a, "b", "parties"), 2));
  EXPECT_TRUE(is_int(describe_field(h, a, "b", "waiting"), 0));
  EXPECT_TRUE(is_error(h.call(a, {"BARRIER.WAIT", "b", "NOWAIT"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"EVENT.SET", "b"}), "WRONGTYPE"));
}

}  // namespace
}  // namespace procshare::test

// event: wait/set/clear, timeouts, every waiter released by one set.
#include "sync_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Event, SetWakesEveryWaiter) {
  Harness h;
  auto& a = h.client();
  auto& w1 = h.client();
  auto& w2 = h.client();
  EXPECT_TRUE(is_error(h.call(a, {"EVENT.ISSET", "e"}), "NOTFOUND"));  // reads never create
  send_parked(h, w1, {"EVENT.WAIT", "e"});
  send_parked(h, w2, {"EVENT.WAIT", "e", "TIMEOUT", "30"});
  EXPECT_TRUE(is_int(describe_field(h, a, "e", "waiters"), 2));
  EXPECT_TRUE(is_ok(h.call(a, {"EVENT.SET", "e"})));
  EXPECT_TRUE(is_int(h.next_reply(w1).value(), 1));
  EXPECT_TRUE(is_int(h.next_reply(w2).value(), 1));
  EXPECT_TRUE(is_int(h.call(a, {"EVENT.ISSET", "e"}), 1));
  EXPECT_TRUE(is_int(describe_field(h, a, "e", "set"), 1));
  EXPECT_TRUE(is_int(h.call(w1, {"EVENT.WAIT", "e"}), 1));  // set: at once
}

TEST(Event, ClearAndTimeouts) {
  Harness h;
  auto& a = h.client();
  h.call(a, {"EVENT.SET", "e"});
  EXPECT_TRUE(is_ok(h.call(a, {"EVENT.CLEAR", "e"})));
  EXPECT_TRUE(is_int(h.call(a, {"EVENT.ISSET", "e"}), 0));
  EXPECT_TRUE(is_int(h.call(a, {"EVENT.WAIT", "e", "TIMEOUT", "0"}), 0));
  send_parked(h, a, {"EVENT.WAIT", "e", "TIMEOUT", "0.25"});
  EXPECT_TRUE(is_int(h.expire(a).value(), 0));
  EXPECT_TRUE(is_error(h.call(a, {"EVENT.WAIT", "e", "NOWAIT"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"EVENT.WAIT", "e", "TIMEOUT", "-0.5"}), "ERR"));
}

TEST(Event, SetThenClearBeforeAnyoneLooksStillReleasesWaiters) {
  Harness h;
  auto& a = h.client();
  auto& w = h.client();
  send_parked(h, w, {"EVENT.WAIT", "e"});
  h.call(a, {"EVENT.SET", "e"});
  h.call(a, {"EVENT.CLEAR", "e"});
  EXPECT_TRUE(is_int(h.next_reply(w).value(), 1));
}

TEST(Event, DeleteDisconnectAndTypes) {
  Harness h;
  auto& a = h.client();
  auto& w1 = h.client();
  auto& w2 = h.client();
  send_parked(h, w1, {"EVENT.WAIT", "e"});
  send_parked(h, w2, {"EVENT.WAIT", "e"});
  h.disconnect(w1);
  EXPECT_TRUE(is_int(describe_field(h, a, "e", "waiters"), 1));
  EXPECT_TRUE(is_int(h.call(a, {"DEL", "e"}), 1));
  EXPECT_TRUE(is_error(h.next_reply(w2).value(), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.call(a, {"EVENT.ISSET", "e"}), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "event", "x", "LIFO"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "event", "x"})));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "event", "x", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.GET", "x"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"EVENT.SET", "x", "extra"}), "ERR"));
}

}  // namespace
}  // namespace procshare::test

// condition: wait releases the lock and reacquires it before replying;
// notify/notifyall order; timeouts; NOTOWNER; own rlock vs a named lock.
#include "sync_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Condition, WaitNotifyReacquiresAfterNotifierReleases) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_TRUE(is_int(h.call(a, {"COND.ACQUIRE", "c"}), 1));
  send_parked(h, a, {"COND.WAIT", "c"});
  // The wait released the lock: b can take it.
  EXPECT_TRUE(is_int(h.call(b, {"COND.ACQUIRE", "c"}), 1));
  EXPECT_TRUE(is_ok(h.call(b, {"COND.NOTIFY", "c"})));
  EXPECT_TRUE(h.parked(a));  // notified, but b still holds the lock
  EXPECT_TRUE(is_ok(h.call(b, {"COND.RELEASE", "c"})));
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 1));
  EXPECT_TRUE(
      is_int(describe_field(h, b, "c", "owner"), static_cast<std::int64_t>(a.session->id())));
  EXPECT_TRUE(is_ok(h.call(a, {"COND.RELEASE", "c"})));
}

TEST(Condition, NotifyOneThenAllInArrivalOrder) {
  Harness h;
  auto& n = h.client();
  auto& w1 = h.client();
  auto& w2 = h.client();
  auto& w3 = h.client();
  for (auto* w : {&w1, &w2, &w3}) {
    EXPECT_TRUE(is_int(h.call(*w, {"COND.ACQUIRE", "c"}), 1));
    send_parked(h, *w, {"COND.WAIT", "c"});
  }
  h.call(n, {"COND.ACQUIRE", "c"});
  EXPECT_TRUE(is_ok(h.call(n, {"COND.NOTIFY", "c"})));
  EXPECT_TRUE(is_ok(h.call(n, {"COND.RELEASE", "c"})));
  EXPECT_TRUE(is_int(h.next_reply(w1).value(), 1));
  EXPECT_TRUE(h.parked(w2));
  EXPECT_TRUE(h.parked(w3));
  h.call(w1, {"COND.RELEASE", "c"});
  EXPECT_TRUE(h.parked(w2));  // not notified yet

  h.call(n, {"COND.ACQUIRE", "c"});
  EXPECT_TRUE(is_ok(h.call(n, {"COND.NOTIFYALL", "c"})));
  EXPECT_TRUE(is_ok(h.call(n, {"COND.RELEASE", "c"})));
  // They reacquire one at a time, in the order they waited.
  EXPECT_TRUE(is_int(h.next_reply(w2).value(), 1));
  EXPECT_TRUE(h.parked(w3));
  h.call(w2, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(h.next_reply(w3).value(), 1));
  h.call(w3, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(describe_field(h, n, "c", "waiters"), 0));
}

TEST(Condition, NotifyCountAndZero) {
  Harness h;
  auto& n = h.client();
  auto& w1 = h.client();
  auto& w2 = h.client();
  for (auto* w : {&w1, &w2}) {
    h.call(*w, {"COND.ACQUIRE", "c"});
    send_parked(h, *w, {"COND.WAIT", "c"});
  }
  h.call(n, {"COND.ACQUIRE", "c"});
  EXPECT_TRUE(is_ok(h.call(n, {"COND.NOTIFY", "c", "0"})));
  EXPECT_TRUE(is_error(h.call(n, {"COND.NOTIFY", "c", "-1"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(n, {"COND.NOTIFY", "c", "1", "2"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(n, {"COND.NOTIFY", "c", "5"})));  // more than are waiting
  h.call(n, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(h.next_reply(w1).value(), 1));
  h.call(w1, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(h.next_reply(w2).value(), 1));
}

TEST(Condition, TimeoutStillReacquiresBeforeReplying) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"COND.ACQUIRE", "c"});
  send_parked(h, a, {"COND.WAIT", "c", "TIMEOUT", "5"});
  h.call(b, {"COND.ACQUIRE", "c"});
  EXPECT_FALSE(h.expire(a).has_value());  // timed out, waiting for the lock now
  EXPECT_TRUE(h.parked(a));
  // A later notify does not turn the timeout into a notification.
  h.call(b, {"COND.NOTIFY", "c"});
  h.call(b, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 0));
  EXPECT_TRUE(
      is_int(describe_field(h, b, "c", "owner"), static_cast<std::int64_t>(a.session->id())));
  EXPECT_TRUE(is_ok(h.call(a, {"COND.RELEASE", "c"})));
}

TEST(Condition, TimeoutWithFreeLockRepliesAtOnce) {
  Harness h;
  auto& a = h.client();
  h.call(a, {"COND.ACQUIRE", "c"});
  send_parked(h, a, {"COND.WAIT", "c", "TIMEOUT", "1"});
  EXPECT_TRUE(is_int(h.expire(a).value(), 0));
  EXPECT_TRUE(is_ok(h.call(a, {"COND.RELEASE", "c"})));
  // TIMEOUT 0: times out at once and reacquires.
  h.call(a, {"COND.ACQUIRE", "c"});
  EXPECT_TRUE(is_int(h.call(a, {"COND.WAIT", "c", "TIMEOUT", "0"}), 0));
  EXPECT_TRUE(is_ok(h.call(a, {"COND.RELEASE", "c"})));
  EXPECT_TRUE(is_error(h.call(a, {"COND.WAIT", "c", "NOWAIT"}), "ERR"));
}

TEST(Condition, ZeroTimeoutWaitLetsLockWaiterInFirst) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"COND.ACQUIRE", "c"});
  send_parked(h, b, {"COND.ACQUIRE", "c"});
  // a's wait releases the lock, which goes to b; a then waits to reacquire.
  send_parked(h, a, {"COND.WAIT", "c", "TIMEOUT", "0"});
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 1));
  h.call(b, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 0));
}

TEST(Condition, NotifiedWaiterIgnoresItsDeadline) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"COND.ACQUIRE", "c"});
  send_parked(h, a, {"COND.WAIT", "c", "TIMEOUT", "5"});
  h.call(b, {"COND.ACQUIRE", "c"});
  h.call(b, {"COND.NOTIFY", "c"});
  EXPECT_FALSE(h.expire(a).has_value());  // the deadline passing changes nothing
  h.call(b, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 1));
}

TEST(Condition, NotOwnerCases) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_TRUE(is_error(h.call(a, {"COND.WAIT", "c"}), "NOTOWNER"));
  EXPECT_TRUE(is_error(h.call(a, {"COND.NOTIFY", "c"}), "NOTOWNER"));
  EXPECT_TRUE(is_error(h.call(a, {"COND.NOTIFYALL", "c"}), "NOTOWNER"));
  EXPECT_TRUE(is_error(h.call(a, {"COND.RELEASE", "c"}), "NOTOWNER"));
  h.call(a, {"COND.ACQUIRE", "c"});
  EXPECT_TRUE(is_error(h.call(b, {"COND.WAIT", "c"}), "NOTOWNER"));
  EXPECT_TRUE(is_error(h.call(b, {"COND.NOTIFY", "c"}), "NOTOWNER"));
  EXPECT_TRUE(is_error(h.call(b, {"COND.NOTIFYALL", "c"}), "NOTOWNER"));
  EXPECT_TRUE(is_error(h.call(b, {"COND.RELEASE", "c"}), "NOTOWNER"));
  EXPECT_TRUE(is_int(h.call(b, {"COND.ACQUIRE", "c", "TIMEOUT", "0"}), 0));
}

TEST(Condition, OwnLockIsReentrantAndWaitRestoresDepth) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"COND.ACQUIRE", "c"});
  EXPECT_TRUE(is_int(h.call(a, {"COND.ACQUIRE", "c"}), 1));
  EXPECT_TRUE(is_int(describe_field(h, a, "c", "depth"), 2));
  send_parked(h, a, {"COND.WAIT", "c"});
  EXPECT_TRUE(is_int(h.call(b, {"COND.ACQUIRE", "c"}), 1));
  h.call(b, {"COND.NOTIFYALL", "c"});
  h.call(b, {"COND.RELEASE", "c"});
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 1));
  EXPECT_TRUE(is_int(describe_field(h, a, "c", "depth"), 2));
  EXPECT_TRUE(is_ok(h.call(a, {"COND.RELEASE", "c"})));
  EXPECT_TRUE(is_ok(h.call(a, {"COND.RELEASE", "c"})));
  EXPECT_TRUE(is_error(h.call(a, {"COND.RELEASE", "c"}), "NOTOWNER"));
}

TEST(Condition, HolderDisconnectFreesLockForNextAcquirer) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& w = h.client();
  h.call(w, {"COND.ACQUIRE", "c"});
  send_parked(h, w, {"COND.WAIT", "c"});
  h.call(a, {"COND.ACQUIRE", "c"});
  send_parked(h, b, {"COND.ACQUIRE", "c"});
  h.call(a, {"COND.NOTIFY", "c"});
  h.disconnect(a);
  // b waited for the lock before w was notified: b first, then w.
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 1));
  EXPECT_TRUE(h.parked(w));
  h.disconnect(b);
  EXPECT_TRUE(is_int(h.next_reply(w).value(), 1));
  EXPECT_EQ(h.engine().stats().abandoned_locks, 2u);
}

TEST(Condition, DepartedWaiterIsForgotten) {
  Harness h;
  auto& a = h.client();
  auto& w = h.client();
  h.call(w, {"COND.ACQUIRE", "c"});
  send_parked(h, w, {"COND.WAIT", "c"});
  h.disconnect(w);
  EXPECT_TRUE(is_int(describe_field(h, a, "c", "waiters"), 0));
  EXPECT_TRUE(is_int(h.call(a, {"COND.ACQUIRE", "c"}), 1));
  EXPECT_TRUE(is_ok(h.call(a, {"COND.NOTIFY", "c"})));
}

TEST(Condition, NamedLockIsSharedWithLockCommands) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "condition", "c", "LOCK", "l"})));
  EXPECT_EQ(h.call(a, {"TYPE", "l"}).str, "lock");
  EXPECT_EQ(describe_field(h, a, "c", "lock").str, "l");
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "l"}), 1));
  // Holding the lock is holding the condition.
  send_parked(h, b, {"COND.ACQUIRE", "c"});
  send_parked(h, a, {"COND.WAIT", "c"});  // frees l: b gets it
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 1));
  EXPECT_TRUE(is_int(describe_field(h, b, "l", "token"), 2));
  h.call(b, {"COND.NOTIFY", "c"});
  EXPECT_TRUE(is_ok(h.call(b, {"LOCK.RELEASE", "l"})));
  EXPECT_TRUE(is_int(h.next_reply(a).value(), 1));
  EXPECT_TRUE(is_int(describe_field(h, b, "l", "token"), 3));
  // The named lock's owner vanishing frees it through the lock object.
  h.disconnect(a);
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.LOCKED", "l"}), 0));
  EXPECT_TRUE(is_int(describe_field(h, b, "l", "abandoned"), 1));
}

TEST(Condition, NamedRLockAndWrongTypes) {
  Harness h;
  auto& a = h.client();
  h.call(a, {"CREATE", "rlock", "r"});
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "condition", "c", "LOCK", "r"})));
  h.call(a, {"LOCK.ACQUIRE", "r"});
  EXPECT_TRUE(is_int(h.call(a, {"COND.ACQUIRE", "c"}), 1));
  EXPECT_TRUE(is_int(describe_field(h, a, "r", "depth"), 2));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "condition", "c", "LOCK", "r", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "condition", "c", "EXISTOK"}), "EXISTS"));
  h.call(a, {"CREATE", "queue", "q"});
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "condition", "c2", "LOCK", "q"}), "WRONGTYPE"));
  EXPECT_TRUE(is_int(h.call(a, {"EXISTS", "c2"}), 0));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "condition", "c3", "LOCK"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "condition", "c3", "PARTIES", "2"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "c"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"COND.ACQUIRE", "r"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"COND.ACQUIRE", "c", "TIMEOUT", "-1"}), "ERR"));
}

TEST(Condition, OwnLockDescribeAndDelete) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& w = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "condition", "c"})));
  EXPECT_EQ(describe_field(h, a, "c", "lock").str, "c");
  EXPECT_TRUE(is_int(describe_field(h, a, "c", "size"), 0));
  h.call(w, {"COND.ACQUIRE", "c"});
  send_parked(h, w, {"COND.WAIT", "c"});
  h.call(a, {"COND.ACQUIRE", "c"});
  send_parked(h, b, {"COND.ACQUIRE", "c"});
  EXPECT_TRUE(is_int(describe_field(h, a, "c", "waiters"), 2));
  EXPECT_TRUE(is_int(h.call(a, {"DEL", "c"}), 1));
  EXPECT_TRUE(is_error(h.next_reply(w).value(), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.next_reply(b).value(), "NOTFOUND"));
}

}  // namespace
}  // namespace procshare::test

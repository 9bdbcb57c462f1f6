// lock and rlock (PROTOCOL.md §6 "Ownership", "Fencing tokens"): FIFO
// hand-over, tokens, abandonment when the owner disconnects, NOTOWNER rules.
#include "sync_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Lock, FifoFairnessAndGrowingTokens) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  auto& d = h.client();
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "l"}), 1));
  send_parked(h, b, {"LOCK.ACQUIRE", "l"});
  send_parked(h, c, {"LOCK.ACQUIRE", "l"});
  send_parked(h, d, {"LOCK.ACQUIRE", "l"});
  EXPECT_TRUE(is_int(describe_field(h, a, "l", "waiters"), 3));

  EXPECT_TRUE(is_ok(h.call(a, {"LOCK.RELEASE", "l"})));
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 2));
  EXPECT_TRUE(h.parked(c));
  EXPECT_TRUE(h.parked(d));
  EXPECT_TRUE(is_ok(h.call(b, {"LOCK.RELEASE", "l"})));
  EXPECT_TRUE(is_int(h.next_reply(c).value(), 3));
  EXPECT_TRUE(h.parked(d));
  EXPECT_TRUE(is_ok(h.call(c, {"LOCK.RELEASE", "l"})));
  EXPECT_TRUE(is_int(h.next_reply(d).value(), 4));
  EXPECT_TRUE(is_int(describe_field(h, a, "l", "token"), 4));
  EXPECT_TRUE(
      is_int(describe_field(h, a, "l", "owner"), static_cast<std::int64_t>(d.session->id())));
}

TEST(Lock, NewArrivalDoesNotOvertakeWaiters) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  h.call(a, {"LOCK.ACQUIRE", "l"});
  send_parked(h, b, {"LOCK.ACQUIRE", "l"});
  h.call(a, {"LOCK.RELEASE", "l"});  // handed to b at once: never free in between
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 2));
  EXPECT_TRUE(is_int(h.call(c, {"LOCK.ACQUIRE", "l", "NOWAIT"}), 0));
}

TEST(Lock, DescribeBeforeFirstAcquire) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "lock", "l"})));
  EXPECT_EQ(describe_field(h, a, "l", "owner").type, Reply::Type::null);
  EXPECT_TRUE(is_int(describe_field(h, a, "l", "token"), 0));
  EXPECT_TRUE(is_int(describe_field(h, a, "l", "abandoned"), 0));
  EXPECT_TRUE(is_int(describe_field(h, a, "l", "size"), 0));
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.LOCKED", "l"}), 0));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "rlock", "r"})));
  EXPECT_TRUE(is_int(describe_field(h, a, "r", "depth"), 0));
}

TEST(Lock, NowaitAndTimeout) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"LOCK.ACQUIRE", "l"});
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.LOCKED", "l"}), 1));
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.ACQUIRE", "l", "NOWAIT"}), 0));
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.ACQUIRE", "l", "timeout", "0"}), 0));
  send_parked(h, b, {"LOCK.ACQUIRE", "l", "TIMEOUT", "2.5"});
  EXPECT_TRUE(is_int(h.expire(b).value(), 0));
  EXPECT_FALSE(h.parked(b));
  EXPECT_TRUE(is_int(describe_field(h, a, "l", "waiters"), 0));
  // The lock is still a's; the timed-out client got nothing.
  EXPECT_TRUE(
      is_int(describe_field(h, a, "l", "owner"), static_cast<std::int64_t>(a.session->id())));
}

TEST(Lock, PlainLockReleasedByAnyClientAndNotReentrant) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"LOCK.ACQUIRE", "l"});
  // As Python's Lock: acquiring again waits (here: NOWAIT fails).
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "l", "NOWAIT"}), 0));
  EXPECT_TRUE(is_ok(h.call(b, {"LOCK.RELEASE", "l"})));
  EXPECT_TRUE(is_error(h.call(b, {"LOCK.RELEASE", "l"}), "NOTOWNER"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.RELEASE", "l"}), "NOTOWNER"));
}

TEST(Lock, RLockReentryKeepsTokenAndOnlyOwnerReleases) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "rlock", "r"});
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "r"}), 1));
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "r"}), 1));
  EXPECT_TRUE(is_int(describe_field(h, a, "r", "depth"), 2));
  EXPECT_TRUE(is_error(h.call(b, {"LOCK.RELEASE", "r"}), "NOTOWNER"));
  send_parked(h, b, {"LOCK.ACQUIRE", "r"});
  EXPECT_TRUE(is_ok(h.call(a, {"LOCK.RELEASE", "r"})));
  EXPECT_TRUE(h.parked(b));  // depth 1 left
  EXPECT_TRUE(is_ok(h.call(a, {"LOCK.RELEASE", "r"})));
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 2));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.RELEASE", "r"}), "NOTOWNER"));
}

TEST(Lock, OwnerDisconnectFreesLockAndWakesNextWithBiggerToken) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "l"}), 1));
  send_parked(h, b, {"LOCK.ACQUIRE", "l"});
  send_parked(h, c, {"LOCK.ACQUIRE", "l"});
  h.disconnect(a);
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 2));
  EXPECT_TRUE(h.parked(c));
  EXPECT_TRUE(is_int(describe_field(h, b, "l", "abandoned"), 1));
  EXPECT_EQ(h.engine().stats().abandoned_locks, 1u);
  h.disconnect(b);
  EXPECT_TRUE(is_int(h.next_reply(c).value(), 3));
  EXPECT_TRUE(is_int(describe_field(h, c, "l", "abandoned"), 2));
}

TEST(Lock, RLockOwnerDisconnectDropsEveryLevel) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "rlock", "r"});
  h.call(a, {"LOCK.ACQUIRE", "r"});
  h.call(a, {"LOCK.ACQUIRE", "r"});
  h.call(a, {"LOCK.ACQUIRE", "r"});
  send_parked(h, b, {"LOCK.ACQUIRE", "r"});
  h.disconnect(a);
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 2));
  EXPECT_TRUE(is_int(describe_field(h, b, "r", "depth"), 1));
  EXPECT_TRUE(is_int(describe_field(h, b, "r", "abandoned"), 1));
}

TEST(Lock, FormerOwnerDisconnectLeavesNewOwnerAlone) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"LOCK.ACQUIRE", "l"});
  h.call(a, {"LOCK.RELEASE", "l"});
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.ACQUIRE", "l"}), 2));
  h.disconnect(a);
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.LOCKED", "l"}), 1));
  EXPECT_TRUE(is_int(describe_field(h, b, "l", "abandoned"), 0));
}

TEST(Lock, ParkedWaiterThatDisconnectsIsSkipped) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  h.call(a, {"LOCK.ACQUIRE", "l"});
  send_parked(h, b, {"LOCK.ACQUIRE", "l"});
  send_parked(h, c, {"LOCK.ACQUIRE", "l"});
  h.disconnect(b);
  EXPECT_TRUE(is_int(describe_field(h, a, "l", "waiters"), 1));
  h.call(a, {"LOCK.RELEASE", "l"});
  EXPECT_TRUE(is_int(h.next_reply(c).value(), 2));
}

TEST(Lock, DeleteFailsWaitersWithNotFound) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"LOCK.ACQUIRE", "l"});
  send_parked(h, b, {"LOCK.ACQUIRE", "l"});
  EXPECT_TRUE(is_int(h.call(a, {"DEL", "l"}), 1));
  EXPECT_TRUE(is_error(h.next_reply(b).value(), "NOTFOUND"));
  EXPECT_FALSE(h.parked(b));
  // A fresh lock of the same name: its tokens go on, never repeat.
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.ACQUIRE", "l"}), 2));
  h.disconnect(a);  // holds nothing any more: no effect on the new lock
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.LOCKED", "l"}), 1));
}

TEST(Lock, ImplicitCreationWrongTypeAndBadOptions) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.LOCKED", "missing"}), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.RELEASE", "fresh"}), "NOTOWNER"));
  EXPECT_EQ(h.call(a, {"TYPE", "fresh"}).str, "none");  // a failed command creates nothing
  h.call(a, {"LOCK.LOCKED", "fresh"});
  h.call(a, {"CREATE", "lock", "fresh"});
  h.call(a, {"CREATE", "queue", "q"});
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "q"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.ACQUIRE", "fresh"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "l", "TIMEOUT", "-1"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "l", "TIMEOUT", "abc"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "l", "TIMEOUT"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "l", "BOGUS"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "l", "NOWAIT", "TIMEOUT", "1"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.RELEASE", "l", "extra"}), "ERR"));
  EXPECT_TRUE(is_int(h.call(a, {"EXISTS", "l"}), 0));  // bad options created nothing
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "lock", "x", "MAXSIZE", "1"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "lock", "l", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "rlock", "l", "EXISTOK"}), "EXISTS"));
}

TEST(Lock, TokensNeverRepeatAcrossIncarnations) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "l"}), 1));
  EXPECT_TRUE(is_int(h.call(b, {"DEL", "l"}), 1));
  EXPECT_TRUE(is_int(h.call(b, {"LOCK.ACQUIRE", "l"}), 2));
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.RELEASE", "l"}), "NOTOWNER"));
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.LOCKED", "l"}), 1));
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "other", "NOWAIT"}), 3));
  EXPECT_TRUE(is_ok(h.call(b, {"LOCK.RELEASE", "l"})));
  EXPECT_TRUE(is_int(h.call(a, {"LOCK.ACQUIRE", "l"}), 4));
  EXPECT_TRUE(is_ok(h.call(a, {"LOCK.RELEASE", "l"})));
}

TEST(Lock, Resp3LockedIsBoolean) {
  Harness h;
  auto& a = h.client(3);
  h.call(a, {"LOCK.ACQUIRE", "l"});
  Reply r = h.call(a, {"LOCK.LOCKED", "l"});
  EXPECT_EQ(r.type, Reply::Type::boolean);
  EXPECT_EQ(r.integer, 1);
  // Tokens stay integers in RESP3.
  EXPECT_EQ(describe_field(h, a, "l", "token").type, Reply::Type::integer);
}

}  // namespace
}  // namespace procshare::test

// queue and joinablequeue: order, blocking get/put, hand-over to live
// waiters only, MAXSIZE, LIFO, task_done/join.
#include "sync_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Queue, FifoOrder) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"QUEUE.PUT", "q", "1"})));
  EXPECT_TRUE(is_ok(h.call(a, {"QUEUE.PUT", "q", "2"})));
  EXPECT_TRUE(is_ok(h.call(a, {"QUEUE.PUT", "q", "3"})));
  EXPECT_TRUE(is_int(h.call(a, {"QUEUE.SIZE", "q"}), 3));
  EXPECT_TRUE(is_int(describe_field(h, a, "q", "size"), 3));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "1"));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "2"));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "3"));
  EXPECT_TRUE(is_int(h.call(a, {"QUEUE.EMPTY", "q"}), 1));
}

TEST(Queue, LifoOrder) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "queue", "q", "LIFO"})));
  for (auto v : {"1", "2", "3"}) h.call(a, {"QUEUE.PUT", "q", v});
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "3"));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "2"));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "1"));
  EXPECT_TRUE(is_int(describe_field(h, a, "q", "lifo"), 1));
}

TEST(Queue, EmptyNowaitAndTimeout) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.GET", "q", "NOWAIT"}), "EMPTY"));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.GET", "q", "TIMEOUT", "0"}), "EMPTY"));
  send_parked(h, a, {"QUEUE.GET", "q", "TIMEOUT", "0.5"});
  EXPECT_TRUE(is_error(h.expire(a).value(), "EMPTY"));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.GET", "q", "TIMEOUT", "-1"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.GET", "q", "SOON"}), "ERR"));
}

TEST(Queue, ParkedGettersServedInArrivalOrder) {
  Harness h;
  auto& p = h.client();
  auto& a = h.client();
  auto& b = h.client();
  send_parked(h, a, {"QUEUE.GET", "q"});
  send_parked(h, b, {"QUEUE.GET", "q"});
  EXPECT_TRUE(is_int(describe_field(h, p, "q", "waiters"), 2));
  h.call(p, {"QUEUE.PUT", "q", "x"});
  EXPECT_TRUE(is_bulk(h.next_reply(a).value(), "x"));
  EXPECT_TRUE(h.parked(b));
  EXPECT_TRUE(is_int(h.call(p, {"QUEUE.SIZE", "q"}), 0));  // handed over, not stored
  h.call(p, {"QUEUE.PUT", "q", "y"});
  EXPECT_TRUE(is_bulk(h.next_reply(b).value(), "y"));
}

TEST(Queue, DisconnectedGetterLosesNoItem) {
  Harness h;
  auto& p = h.client();
  auto& a = h.client();
  auto& b = h.client();
  send_parked(h, a, {"QUEUE.GET", "q"});
  send_parked(h, b, {"QUEUE.GET", "q"});
  h.disconnect(a);
  h.call(p, {"QUEUE.PUT", "q", "x"});
  EXPECT_TRUE(is_bulk(h.next_reply(b).value(), "x"));
  // With nobody waiting the item stays queued for the next getter.
  auto& c = h.client();
  send_parked(h, c, {"QUEUE.GET", "q"});
  h.disconnect(c);
  h.call(p, {"QUEUE.PUT", "q", "y"});
  EXPECT_TRUE(is_int(h.call(p, {"QUEUE.SIZE", "q"}), 1));
  EXPECT_TRUE(is_bulk(h.call(p, {"QUEUE.GET", "q"}), "y"));
}

TEST(Queue, MaxsizeBlocksPutUntilGet) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "queue", "q", "MAXSIZE", "2"})));
  h.call(a, {"QUEUE.PUT", "q", "1"});
  h.call(a, {"QUEUE.PUT", "q", "2"});
  EXPECT_TRUE(is_int(h.call(a, {"QUEUE.FULL", "q"}), 1));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.PUT", "q", "x", "NOWAIT"}), "FULL"));
  send_parked(h, b, {"QUEUE.PUT", "q", "3"});
  send_parked(h, c, {"QUEUE.PUT", "q", "4"});
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "1"));
  EXPECT_TRUE(is_ok(h.next_reply(b).value()));
  EXPECT_TRUE(h.parked(c));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "2"));
  EXPECT_TRUE(is_ok(h.next_reply(c).value()));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "3"));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "4"));
  EXPECT_TRUE(is_int(h.call(a, {"QUEUE.FULL", "q"}), 0));
}

TEST(Queue, PutTimeoutAndDepartedPutterPutsNothing) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "queue", "q", "MAXSIZE", "1"});
  h.call(a, {"QUEUE.PUT", "q", "1"});
  send_parked(h, b, {"QUEUE.PUT", "q", "late", "TIMEOUT", "3"});
  EXPECT_TRUE(is_error(h.expire(b).value(), "FULL"));
  send_parked(h, b, {"QUEUE.PUT", "q", "gone"});
  h.disconnect(b);
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "q"}), "1"));
  EXPECT_TRUE(is_int(h.call(a, {"QUEUE.SIZE", "q"}), 0));
}

TEST(Queue, FullQueueWithGettersAndPuttersChainsHandOver) {
  // A getter woken by a put lets a parked putter in, whose item goes to the
  // next getter: every wait resolves in one pass.
  Harness h;
  auto& a = h.client();
  auto& p = h.client();
  auto& g = h.client();
  h.call(a, {"CREATE", "queue", "q", "MAXSIZE", "1"});
  h.call(a, {"QUEUE.PUT", "q", "1"});
  send_parked(h, p, {"QUEUE.PUT", "q", "2"});
  EXPECT_TRUE(is_bulk(h.call(g, {"QUEUE.GET", "q"}), "1"));
  EXPECT_TRUE(is_ok(h.next_reply(p).value()));
  EXPECT_TRUE(is_bulk(h.call(g, {"QUEUE.GET", "q"}), "2"));
  EXPECT_TRUE(is_int(describe_field(h, a, "q", "waiters"), 0));
}

TEST(Queue, JoinableTaskDoneAndJoin) {
  Harness h;
  auto& a = h.client();
  auto& j = h.client();
  auto& k = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "joinablequeue", "jq"})));
  EXPECT_TRUE(is_int(h.call(j, {"QUEUE.JOIN", "jq"}), 1));  // nothing unfinished
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.TASKDONE", "jq"}), "VALUEERROR"));
  h.call(a, {"QUEUE.PUT", "jq", "t1"});
  h.call(a, {"QUEUE.PUT", "jq", "t2"});
  EXPECT_TRUE(is_int(describe_field(h, a, "jq", "unfinished"), 2));
  send_parked(h, j, {"QUEUE.JOIN", "jq"});
  send_parked(h, k, {"QUEUE.JOIN", "jq", "TIMEOUT", "10"});
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "jq"}), "t1"));
  EXPECT_TRUE(is_ok(h.call(a, {"QUEUE.TASKDONE", "jq"})));
  EXPECT_TRUE(h.parked(j));
  EXPECT_TRUE(is_bulk(h.call(a, {"QUEUE.GET", "jq"}), "t2"));
  EXPECT_TRUE(is_ok(h.call(a, {"QUEUE.TASKDONE", "jq"})));
  EXPECT_TRUE(is_int(h.next_reply(j).value(), 1));
  EXPECT_TRUE(is_int(h.next_reply(k).value(), 1));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.TASKDONE", "jq"}), "VALUEERROR"));
}

TEST(Queue, JoinTimeout) {
  Harness h;
  auto& a = h.client();
  h.call(a, {"CREATE", "joinablequeue", "jq", "MAXSIZE", "3"});
  h.call(a, {"QUEUE.PUT", "jq", "t"});
  EXPECT_TRUE(is_int(h.call(a, {"QUEUE.JOIN", "jq", "TIMEOUT", "0"}), 0));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.JOIN", "jq", "NOWAIT"}), "ERR"));
  send_parked(h, a, {"QUEUE.JOIN", "jq", "TIMEOUT", "1"});
  EXPECT_TRUE(is_int(h.expire(a).value(), 0));
  EXPECT_TRUE(is_int(describe_field(h, a, "jq", "maxsize"), 3));
}

TEST(Queue, JoinableOnlyCommandsAndWrongTypes) {
  Harness h;
  auto& a = h.client();
  h.call(a, {"CREATE", "queue", "q"});
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.TASKDONE", "q"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.JOIN", "q"}), "WRONGTYPE"));
  // A missing object is created as a joinable queue.
  EXPECT_TRUE(is_int(h.call(a, {"QUEUE.JOIN", "fresh"}), 1));
  EXPECT_EQ(h.call(a, {"TYPE", "fresh"}).str, "joinablequeue");
  h.call(a, {"LOCK.ACQUIRE", "l"});
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.PUT", "l", "x"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.SIZE", "missing"}), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.EMPTY", "missing"}), "NOTFOUND"));
  EXPECT_TRUE(is_ok(h.call(a, {"QUEUE.PUT", "implicit", "v"})));
  EXPECT_EQ(h.call(a, {"TYPE", "implicit"}).str, "queue");
}

TEST(Queue, OptionsAndExistOk) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "queue", "q", "MAXSIZE", "x"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "queue", "q", "BOGUS"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "joinablequeue", "q", "LIFO"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "queue", "q"})));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "queue", "q", "MAXSIZE", "0", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "queue", "q", "LIFO", "EXISTOK"}), "EXISTS"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "queue", "q", "MAXSIZE", "5", "EXISTOK"}), "EXISTS"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "joinablequeue", "q", "EXISTOK"}), "EXISTS"));
  EXPECT_TRUE(is_int(describe_field(h, a, "q", "maxsize"), 0));
  EXPECT_TRUE(is_int(describe_field(h, a, "q", "lifo"), 0));
  // As in Python, a negative maxsize means unbounded.
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "queue", "neg", "MAXSIZE", "-1"})));
  EXPECT_TRUE(is_int(describe_field(h, a, "neg", "maxsize"), 0));
  EXPECT_TRUE(is_error(h.call(a, {"QUEUE.PUT", "q"}), "ERR"));
}

TEST(Queue, DeleteFailsParkedGettersAndPutters) {
  Harness h;
  auto& a = h.client();
  auto& g = h.client();
  auto& p = h.client();
  h.call(a, {"CREATE", "queue", "q", "MAXSIZE", "1"});
  h.call(a, {"CREATE", "queue", "e"});
  h.call(a, {"QUEUE.PUT", "q", "x"});
  send_parked(h, p, {"QUEUE.PUT", "q", "y"});
  send_parked(h, g, {"QUEUE.GET", "e"});
  EXPECT_TRUE(is_int(h.call(a, {"DEL", "q", "e"}), 2));
  EXPECT_TRUE(is_error(h.next_reply(p).value(), "NOTFOUND"));
  EXPECT_TRUE(is_error(h.next_reply(g).value(), "NOTFOUND"));
}

TEST(Queue, Resp3Predicates) {
  Harness h;
  auto& a = h.client(3);
  h.call(a, {"CREATE", "queue", "q"});
  Reply r = h.call(a, {"QUEUE.EMPTY", "q"});
  EXPECT_EQ(r.type, Reply::Type::boolean);
  EXPECT_EQ(r.integer, 1);
  EXPECT_EQ(describe_field(h, a, "q", "lifo").type, Reply::Type::boolean);
}

}  // namespace
}  // namespace procshare::test

// semaphore and boundedsemaphore: permits, FIFO waiters, per-client permits
// returned on disconnect, only a holder releases (unless UNOWNED), the
// bounded limit.
#include "sync_test_util.hpp"

namespace procshare::test {
namespace {

TEST(Semaphore, DefaultsToOnePermitAndWakesWaitersInOrder) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  EXPECT_TRUE(is_int(h.call(a, {"SEM.ACQUIRE", "s"}), 1));
  EXPECT_TRUE(is_int(h.call(a, {"SEM.VALUE", "s"}), 0));
  send_parked(h, b, {"SEM.ACQUIRE", "s"});
  send_parked(h, c, {"SEM.ACQUIRE", "s"});
  EXPECT_TRUE(is_ok(h.call(a, {"SEM.RELEASE", "s"})));
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 1));
  EXPECT_TRUE(h.parked(c));
  EXPECT_TRUE(is_int(h.call(a, {"SEM.VALUE", "s"}), 0));
  EXPECT_TRUE(is_ok(h.call(b, {"SEM.RELEASE", "s"})));
  EXPECT_TRUE(is_int(h.next_reply(c).value(), 1));
}

TEST(Semaphore, ReleaseManyWakesMany) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  auto& d = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "0", "UNOWNED"})));
  send_parked(h, b, {"SEM.ACQUIRE", "s"});
  send_parked(h, c, {"SEM.ACQUIRE", "s"});
  send_parked(h, d, {"SEM.ACQUIRE", "s"});
  EXPECT_TRUE(is_ok(h.call(a, {"SEM.RELEASE", "s", "2"})));
  EXPECT_TRUE(is_int(h.next_reply(b).value(), 1));
  EXPECT_TRUE(is_int(h.next_reply(c).value(), 1));
  EXPECT_TRUE(h.parked(d));
  EXPECT_TRUE(is_ok(h.call(a, {"SEM.RELEASE", "s", "5"})));
  EXPECT_TRUE(is_int(h.next_reply(d).value(), 1));
  EXPECT_TRUE(is_int(h.call(a, {"SEM.VALUE", "s"}), 4));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.RELEASE", "s", "0"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.RELEASE", "s", "x"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.RELEASE", "s", "1", "2"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.RELEASE", "s", "9223372036854775807"}), "VALUEERROR"));
}

TEST(Semaphore, NowaitAndTimeout) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "semaphore", "s", "VALUE", "1"});
  h.call(a, {"SEM.ACQUIRE", "s"});
  EXPECT_TRUE(is_int(h.call(b, {"SEM.ACQUIRE", "s", "NOWAIT"}), 0));
  EXPECT_TRUE(is_int(h.call(b, {"SEM.ACQUIRE", "s", "TIMEOUT", "0"}), 0));
  send_parked(h, b, {"SEM.ACQUIRE", "s", "TIMEOUT", "1"});
  EXPECT_TRUE(is_int(h.expire(b).value(), 0));
  h.call(a, {"SEM.RELEASE", "s"});
  EXPECT_TRUE(is_int(h.call(a, {"SEM.VALUE", "s"}), 1));  // nothing went to b
}

TEST(Semaphore, DisconnectReturnsThatClientsPermits) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& c = h.client();
  h.call(a, {"CREATE", "semaphore", "s", "VALUE", "3"});
  h.call(a, {"SEM.ACQUIRE", "s"});
  h.call(a, {"SEM.ACQUIRE", "s"});
  h.call(b, {"SEM.ACQUIRE", "s"});
  send_parked(h, c, {"SEM.ACQUIRE", "s"});
  h.disconnect(a);
  EXPECT_TRUE(is_int(h.next_reply(c).value(), 1));
  EXPECT_TRUE(is_int(h.call(b, {"SEM.VALUE", "s"}), 1));
  h.disconnect(b);
  EXPECT_TRUE(is_int(h.call(c, {"SEM.VALUE", "s"}), 2));
  EXPECT_TRUE(is_int(describe_field(h, c, "s", "value"), 2));
  EXPECT_TRUE(is_int(describe_field(h, c, "s", "initial"), 3));
}

TEST(Semaphore, OnlyAHolderReleases) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  auto& x = h.client();
  auto& y = h.client();
  h.call(a, {"CREATE", "semaphore", "s", "VALUE", "1"});
  EXPECT_TRUE(is_int(h.call(a, {"SEM.ACQUIRE", "s"}), 1));
  EXPECT_TRUE(is_error(h.call(b, {"SEM.RELEASE", "s"}), "NOTOWNER"));  // b holds nothing
  EXPECT_TRUE(is_int(h.call(b, {"SEM.VALUE", "s"}), 0));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.RELEASE", "s", "2"}), "NOTOWNER"));  // a holds one
  send_parked(h, x, {"SEM.ACQUIRE", "s"});
  h.disconnect(a);  // its permit goes to x
  EXPECT_TRUE(is_int(h.next_reply(x).value(), 1));
  EXPECT_TRUE(is_int(h.call(y, {"SEM.ACQUIRE", "s", "NOWAIT"}), 0));  // never two holders
  EXPECT_TRUE(is_ok(h.call(x, {"SEM.RELEASE", "s"})));
  EXPECT_TRUE(is_int(h.call(y, {"SEM.VALUE", "s"}), 1));
}

TEST(Semaphore, UnownedIsPythonsSemaphore) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "1", "UNOWNED"})));
  EXPECT_TRUE(is_int(h.call(a, {"SEM.ACQUIRE", "s"}), 1));
  EXPECT_TRUE(is_ok(h.call(b, {"SEM.RELEASE", "s"})));  // anyone may release
  EXPECT_TRUE(is_int(h.call(b, {"SEM.VALUE", "s"}), 1));
  EXPECT_TRUE(is_int(h.call(b, {"SEM.ACQUIRE", "s"}), 1));
  h.disconnect(b);  // a signal taken stays taken
  EXPECT_TRUE(is_int(h.call(a, {"SEM.VALUE", "s"}), 0));
  EXPECT_TRUE(is_int(describe_field(h, a, "s", "unowned"), 1));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "1", "UNOWNED", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "1", "EXISTOK"}), "EXISTS"));
}

TEST(Semaphore, BoundedRefusesReleasePastInitial) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "boundedsemaphore", "s", "VALUE", "2"})));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.RELEASE", "s"}), "VALUEERROR"));
  h.call(a, {"SEM.ACQUIRE", "s"});
  h.call(a, {"SEM.ACQUIRE", "s"});
  EXPECT_TRUE(is_error(h.call(a, {"SEM.RELEASE", "s", "3"}), "VALUEERROR"));
  EXPECT_TRUE(is_int(h.call(a, {"SEM.VALUE", "s"}), 0));
  EXPECT_TRUE(is_error(h.call(b, {"SEM.RELEASE", "s", "2"}), "NOTOWNER"));
  h.disconnect(a);
  EXPECT_TRUE(is_int(h.call(b, {"SEM.VALUE", "s"}), 2));
  // UNOWNED bounded: anyone releases, never past the bound.
  EXPECT_TRUE(is_ok(h.call(b, {"CREATE", "boundedsemaphore", "u", "VALUE", "1", "UNOWNED"})));
  EXPECT_TRUE(is_int(h.call(b, {"SEM.ACQUIRE", "u"}), 1));
  auto& c = h.client();
  EXPECT_TRUE(is_ok(h.call(c, {"SEM.RELEASE", "u"})));
  EXPECT_TRUE(is_error(h.call(c, {"SEM.RELEASE", "u"}), "VALUEERROR"));
}

TEST(Semaphore, DeleteFailsWaiters) {
  Harness h;
  auto& a = h.client();
  auto& b = h.client();
  h.call(a, {"CREATE", "semaphore", "s", "VALUE", "0"});
  send_parked(h, b, {"SEM.ACQUIRE", "s"});
  EXPECT_TRUE(is_int(h.call(a, {"DEL", "s"}), 1));
  EXPECT_TRUE(is_error(h.next_reply(b).value(), "NOTFOUND"));
}

TEST(Semaphore, OptionsTypesAndExistOk) {
  Harness h;
  auto& a = h.client();
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "-1"}), "VALUEERROR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "x"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "semaphore", "s", "LIFO"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "semaphore", "s", "VALUE"}), "ERR"));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "semaphore", "s"})));
  EXPECT_TRUE(is_ok(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "1", "EXISTOK"})));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "semaphore", "s", "VALUE", "2", "EXISTOK"}), "EXISTS"));
  EXPECT_TRUE(is_error(h.call(a, {"CREATE", "boundedsemaphore", "s", "EXISTOK"}), "EXISTS"));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.VALUE", "missing"}), "NOTFOUND"));
  EXPECT_TRUE(is_int(h.call(a, {"SEM.ACQUIRE", "implicit"}), 1));
  EXPECT_EQ(h.call(a, {"TYPE", "implicit"}).str, "semaphore");
  EXPECT_TRUE(is_error(h.call(a, {"LOCK.ACQUIRE", "implicit"}), "WRONGTYPE"));
  EXPECT_TRUE(is_error(h.call(a, {"SEM.ACQUIRE", "s", "TIMEOUT", "-2"}), "ERR"));
}

}  // namespace
}  // namespace procshare::test

// Typed pipelines (issue 16 item 4): p(proxy).method(...) returns a Future of
// what the method returns; a failed command's future throws the server's
// error and the others still deliver. Through the real server.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "client_fixture.hpp"

namespace procshare::test {
namespace {

using TypedPipelineTest = ClientTest;

TEST_F(TypedPipelineTest, DictMethodsReturnTypedFutures) {
  auto d = client_.dict<std::string, long>(name());
  d["a"] = 1;
  Pipeline p = client_.pipeline();
  auto is_new = p(d).set("b", 2);
  auto a = p(d).get("a");
  auto missing = p(d).get("zzz");
  auto fallback = p(d).get("zzz", 7L);
  auto hits = p(d).incr("a", 10);
  auto has = p(d).contains("b");
  auto n = p(d).size();
  auto erased = p(d).erase("nope");
  auto keys = p(d).keys();
  auto items = p(d).items();
  EXPECT_FALSE(a.ready());
  EXPECT_THROW(a.get(), Error);  // not executed yet
  EXPECT_EQ(p.size(), 10u);
  p.execute();
  EXPECT_TRUE(is_new.get());
  EXPECT_EQ(a.get(), std::optional<long>(1));
  EXPECT_EQ(missing.get(), std::nullopt);
  EXPECT_EQ(fallback.get(), 7);
  EXPECT_EQ(hits.get(), 11);
  EXPECT_TRUE(has.get());
  EXPECT_EQ(n.get(), 2u);
  EXPECT_FALSE(erased.get());
  EXPECT_EQ(keys.get(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(items.get(), (std::vector<std::pair<std::string, long>>{{"a", 11}, {"b", 2}}));
  EXPECT_EQ(d.at("a"), 11);
}

TEST_F(TypedPipelineTest, AnErrorInTheMiddleStaysInItsPlace) {
  auto d = client_.dict<std::string, long>(name("d"));
  auto l = client_.list<std::string>(name("l"));
  d["text"] = 0;
  client_.command("DICT.SET", d.name(), "word", "hello");  // not a number
  Pipeline p = client_.pipeline();
  auto first = p(d).incr("text", 5);
  auto broken = p(d).incr("word", 1);  // VALUEERROR: not an integer
  auto missing = p(d).at("nope");      // KEYERROR
  p.add("NO.SUCH.COMMAND");            // an untyped command between typed ones
  auto appended = p(l).append("x");
  auto last = p(d).incr("text", 1);
  auto replies = p.execute();
  ASSERT_EQ(replies.size(), 6u);
  EXPECT_EQ(first.get(), 5);
  EXPECT_THROW(broken.get(), ValueError);
  EXPECT_EQ(broken.reply().error_code(), "VALUEERROR");
  EXPECT_THROW(missing.get(), KeyError);
  EXPECT_TRUE(replies[3].is_error());
  EXPECT_EQ(appended.get(), 1u);
  EXPECT_EQ(last.get(), 6);  // the commands after the errors ran
  EXPECT_EQ(d.at("text"), 6);
  EXPECT_THROW(check(replies), ValueError);  // the first error
}

TEST_F(TypedPipelineTest, ListSetValueArrayNamespace) {
  auto l = client_.list<int>(name("l"));
  auto s = client_.set<std::string>(name("s"));
  auto v = client_.value<double>(name("v"), 1.5);
  auto arr = client_.array<long>(name("a"), 4);
  auto ns = client_.namespace_(name("ns"));
  Pipeline p = client_.pipeline();
  for (int i = 0; i < 5; ++i) p(l).append(i * 10);
  auto len = p(l).size();
  auto third = p(l).at(2);
  auto popped = p(l).pop();
  auto slice = p(l).range(1, 3);
  auto where = p(l).index(30);
  auto out_of_range = p(l).at(99);
  auto added = p(s).add("x");
  auto again = p(s).add("x");
  auto member = p(s).contains("x");
  auto members = p(s).members();
  auto not_member = p(s).remove("y");
  auto vset = p(v).set(2.25);
  auto vinc = p(v).incr(0.5);
  auto vget = p(v).get();
  auto aset = p(arr).set(1, 40);
  auto ainc = p(arr).incr(1, 2);
  auto asize = p(arr).size();
  auto all = p(arr).to_vector();
  auto bad_index = p(arr).at(10);
  auto nsset = p(ns).set("x", 10);
  auto nsstr = p(ns).set("who", "me");
  auto nsget = p(ns).get<int>("x");
  auto nsopt = p(ns).get_optional<int>("nope");
  auto nshas = p(ns).has("who");
  auto nsattrs = p(ns).attrs();
  p.execute();
  EXPECT_EQ(len.get(), 5u);
  EXPECT_EQ(third.get(), 20);
  EXPECT_EQ(popped.get(), 40);
  EXPECT_EQ(slice.get(), (std::vector<int>{10, 20}));
  EXPECT_EQ(where.get(), 3);
  EXPECT_THROW(out_of_range.get(), IndexError);
  EXPECT_TRUE(added.get());
  EXPECT_FALSE(again.get());
  EXPECT_TRUE(member.get());
  EXPECT_EQ(members.get(), (std::vector<std::string>{"x"}));
  EXPECT_THROW(not_member.get(), KeyError);
  EXPECT_NO_THROW(vset.get());
  EXPECT_DOUBLE_EQ(vinc.get(), 2.75);
  EXPECT_DOUBLE_EQ(vget.get(), 2.75);
  EXPECT_NO_THROW(aset.get());
  EXPECT_EQ(ainc.get(), 42);
  EXPECT_EQ(asize.get(), 4u);
  EXPECT_EQ(all.get(), (std::vector<long>{0, 42, 0, 0}));
  EXPECT_THROW(bad_index.get(), IndexError);
  EXPECT_NO_THROW(nsset.get());
  EXPECT_NO_THROW(nsstr.get());
  EXPECT_EQ(nsget.get(), 10);
  EXPECT_EQ(nsopt.get(), std::nullopt);
  EXPECT_TRUE(nshas.get());
  EXPECT_EQ(nsattrs.get(), (std::vector<std::string>{"x", "who"}));
  EXPECT_EQ(l.to_vector(), (std::vector<int>{0, 10, 20, 30}));
}

TEST_F(TypedPipelineTest, QueueOpsThatDoNotWait) {
  QueueOptions o;
  o.maxsize = 2;
  auto q = client_.queue<std::string>(name("q"), o);
  auto jq = client_.joinable_queue<int>(name("jq"));
  Pipeline p = client_.pipeline();
  auto put1 = p(q).try_put("a");
  auto put2 = p(q).try_put("b");
  auto put3 = p(q).try_put("c");  // full: false, not an error
  auto full = p(q).full();
  auto size = p(q).size();
  auto got = p(q).try_get();
  auto got2 = p(q).try_get();
  auto none = p(q).try_get();  // empty: nullopt
  auto empty = p(q).empty();
  auto jput = p(jq).try_put(1);
  auto jget = p(jq).try_get();
  auto done = p(jq).task_done();
  auto too_many = p(jq).task_done();  // VALUEERROR: more than were put
  p.execute();
  EXPECT_TRUE(put1.get());
  EXPECT_TRUE(put2.get());
  EXPECT_FALSE(put3.get());
  EXPECT_TRUE(full.get());
  EXPECT_EQ(size.get(), 2u);
  EXPECT_EQ(got.get(), std::optional<std::string>("a"));
  EXPECT_EQ(got2.get(), std::optional<std::string>("b"));
  EXPECT_EQ(none.get(), std::nullopt);
  EXPECT_TRUE(empty.get());
  EXPECT_TRUE(jput.get());
  EXPECT_EQ(jget.get(), std::optional<int>(1));
  EXPECT_NO_THROW(done.get());
  EXPECT_THROW(too_many.get(), ValueError);
}

TEST_F(TypedPipelineTest, NestedProxiesAndAProxyOfAnotherClient) {
  auto outer = client_.dict<std::string, List<int>>(name("outer"));
  auto inner = client_.list<int>(name("inner"));
  inner.append(7);
  Pipeline p = client_.pipeline();
  p(outer).set("l", inner);
  auto back = p(outer).at("l");
  p.execute();
  EXPECT_EQ(back.get().to_vector(), (std::vector<int>{7}));  // a proxy of the same list
  Client other = connect();
  auto theirs = other.dict<std::string, long>(name("theirs"));
  EXPECT_THROW(p(theirs), Error);
}

TEST_F(TypedPipelineTest, ATwentyThousandCommandBatch) {
  auto d = client_.dict<int, int>(name());
  Pipeline p = client_.pipeline();
  std::vector<Future<bool>> sets;
  for (int i = 0; i < 20000; ++i) sets.push_back(p(d).set(i, i));
  auto len = p(d).size();
  p.execute();
  for (auto& f : sets) ASSERT_TRUE(f.get());
  EXPECT_EQ(len.get(), 20000u);
}

}  // namespace
}  // namespace procshare::test

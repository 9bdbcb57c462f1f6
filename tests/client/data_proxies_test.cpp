// Every method of the data proxies (Dict, List, Set, Namespace, Value,
// Array) against the real server, with their error cases, and the object
// management calls of Client.
#include <map>

#include "client_fixture.hpp"

namespace procshare::test {
namespace {

using DataProxies = ClientTest;

TEST_F(DataProxies, DictBasics) {
  auto d = client_.dict<std::string, long>(name());
  EXPECT_TRUE(d.empty());
  EXPECT_TRUE(d.set("a", 1));
  EXPECT_FALSE(d.set("a", 2));  // not new
  d["b"] = 3;
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.at("a"), 2);
  long b = d["b"];
  EXPECT_EQ(b, 3);
  EXPECT_EQ(d.get("a"), 2);
  EXPECT_EQ(d.get("zz"), std::nullopt);
  EXPECT_EQ(d.get("zz", -1), -1);
  EXPECT_EQ(d["zz"].value_or(7), 7);
  EXPECT_THROW(d.at("zz"), KeyError);
  EXPECT_THROW((void)static_cast<long>(d["zz"]), KeyError);
  EXPECT_TRUE(d.contains("a"));
  EXPECT_FALSE(d.contains("zz"));
  EXPECT_TRUE(d["a"].exists());
  d["a"] = d["b"];
  EXPECT_EQ(d.at("a"), 3);
}

TEST_F(DataProxies, DictArithmeticAndRemoval) {
  auto d = client_.dict<std::string, long>(name());
  EXPECT_EQ(d.incr("n"), 1);  // a missing key counts as 0
  EXPECT_EQ(d.incr("n", 10), 11);
  d["n"] += 4;
  d["n"] -= 1;
  ++d["n"];
  --d["n"];
  EXPECT_EQ(d.at("n"), 14);
  d["s"] = 5;
  EXPECT_EQ(d.setdefault("s", 9), 5);
  EXPECT_EQ(d.setdefault("t", 9), 9);
  EXPECT_EQ(d.pop("t"), 9);
  EXPECT_THROW(d.pop("t"), KeyError);
  EXPECT_EQ(d.pop("t", 0), 0);
  EXPECT_TRUE(d.erase("s"));
  EXPECT_FALSE(d.erase("s"));
  EXPECT_EQ(d.update({{"x", 1}, {"y", 2}}), 2);
  std::map<std::string, long> more{{"y", 20}, {"z", 30}};
  EXPECT_EQ(d.update(more), 1);
  auto last = d.popitem();
  EXPECT_EQ(last.first, "z");  // LIFO, as Python's dict.popitem
  EXPECT_EQ(last.second, 30);
  d.clear();
  EXPECT_EQ(d.size(), 0u);
  EXPECT_THROW(d.popitem(), KeyError);
}

TEST_F(DataProxies, DictSnapshots) {
  auto d = client_.dict<int, std::string>(name());
  for (int i = 0; i < 5; ++i) d[i] = std::string(static_cast<std::size_t>(i), 'x');
  auto keys = d.keys();
  EXPECT_EQ(keys, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(d.values().size(), 5u);
  std::map<int, std::string> expected;
  for (auto& [k, v] : d.items()) expected[k] = v;
  EXPECT_EQ(expected[3], "xxx");
  EXPECT_EQ(d.copy(), expected);
}

TEST_F(DataProxies, DictFloatValuesAndWrongValues) {
  auto d = client_.dict<std::string, double>(name());
  d["x"] = 0.1;
  EXPECT_DOUBLE_EQ(d.at("x"), 0.1);
  EXPECT_DOUBLE_EQ(d.incr("x", 0.2), 0.1 + 0.2);
  auto raw = client_.dict<std::string, std::string>(d.name());  // same object, other view
  raw["bad"] = "not a number";
  EXPECT_THROW(d.at("bad"), ValueError);         // the codec refuses it
  EXPECT_THROW(d.incr("bad", 1.0), ValueError);  // the server refuses it
}

TEST_F(DataProxies, WrongTypeAndNotFound) {
  auto l = client_.list<int>(name());
  Dict<std::string, int> as_dict(client_, l.name());  // attach without creating
  EXPECT_THROW(as_dict.size(), WrongType);
  Dict<std::string, int> missing(client_, name("missing"));
  EXPECT_THROW(missing.size(), NotFound);  // a read does not create
  EXPECT_THROW((client_.dict<std::string, int>(l.name())), Exists);
}

TEST_F(DataProxies, ListEverything) {
  auto l = client_.list<int>(name());
  EXPECT_EQ(l.append(3), 1u);
  EXPECT_EQ(l.extend({1, 2}), 3u);
  l.insert(0, 9);
  l.push_back(1);
  EXPECT_EQ(l.to_vector(), (std::vector<int>{9, 3, 1, 2, 1}));
  EXPECT_EQ(l.at(-1), 1);
  EXPECT_EQ(l[1], 3);
  l[1] = 4;
  EXPECT_EQ(l.at(1), 4);
  EXPECT_EQ(l.range(1, 3), (std::vector<int>{4, 1}));
  EXPECT_EQ(l.range(-2, 100), (std::vector<int>{2, 1}));
  EXPECT_EQ(l.index(1), 2);
  EXPECT_THROW(l.index(42), ValueError);
  EXPECT_EQ(l.count(1), 2u);
  l.remove(1);
  EXPECT_THROW(l.remove(42), ValueError);
  EXPECT_EQ(l.to_vector(), (std::vector<int>{9, 4, 2, 1}));
  l.sort();
  EXPECT_EQ(l.to_vector(), (std::vector<int>{1, 2, 4, 9}));
  l.append(10);
  l.sort();  // numeric for a List<int>: 10 after 9
  EXPECT_EQ(l.at(-1), 10);
  l.sort(/*descending=*/true);
  EXPECT_EQ(l.at(0), 10);
  l.reverse();
  EXPECT_EQ(l.at(0), 1);
  EXPECT_EQ(l.pop(), 10);
  EXPECT_EQ(l.pop(0), 1);
  l.erase(0);
  EXPECT_EQ(l.size(), 2u);
  EXPECT_THROW(l.at(5), IndexError);
  EXPECT_THROW(l.set(5, 1), IndexError);
  l.clear();
  EXPECT_TRUE(l.empty());
  EXPECT_THROW(l.pop(), IndexError);
}

TEST_F(DataProxies, SetEverything) {
  auto s = client_.set<std::string>(name());
  EXPECT_TRUE(s.add("a"));
  EXPECT_FALSE(s.add("a"));
  EXPECT_EQ(s.add_all({"b", "c", "a"}), 2u);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.contains("b"));
  EXPECT_TRUE(s.discard("b"));
  EXPECT_FALSE(s.discard("b"));
  EXPECT_THROW(s.remove("b"), KeyError);
  s.remove("c");
  EXPECT_EQ(s.members(), std::vector<std::string>{"a"});
  EXPECT_EQ(s.pop(), "a");
  EXPECT_THROW(s.pop(), KeyError);
  s.add_all(std::vector<std::string>{"x", "y"});
  EXPECT_EQ(s.discard_all(std::vector<std::string>{"x", "q"}), 1u);
  s.clear();
  EXPECT_TRUE(s.empty());
}

TEST_F(DataProxies, NamespaceEverything) {
  auto ns = client_.namespace_(name());
  ns.set("x", 10);
  ns.set("greeting", "hello");
  ns["ratio"] = 0.5;
  EXPECT_EQ(ns.get<int>("x"), 10);
  EXPECT_EQ(ns.get<std::string>("greeting"), "hello");
  EXPECT_DOUBLE_EQ(ns["ratio"].as<double>(), 0.5);
  EXPECT_TRUE(ns.has("x"));
  EXPECT_FALSE(ns.has("nope"));
  EXPECT_THROW(ns.get<int>("nope"), KeyError);
  EXPECT_EQ(ns.get_optional<int>("nope"), std::nullopt);
  EXPECT_EQ(ns.attrs(), (std::vector<std::string>{"x", "greeting", "ratio"}));
  auto items = ns.items();
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1].second, "hello");
  ns.erase("x");
  EXPECT_THROW(ns.erase("x"), KeyError);
  EXPECT_THROW(ns.get<int>("greeting"), ValueError);
}

TEST_F(DataProxies, ValueEverything) {
  auto v = client_.value<long>(name(), 5);
  EXPECT_EQ(v.get(), 5);
  EXPECT_EQ(client_.value<long>(name(), 99).get(), 5);  // opens, keeps the value
  EXPECT_EQ(v.incr(), 6);
  v += 4;
  ++v;
  long now = v;
  EXPECT_EQ(now, 11);
  v = 3;
  EXPECT_TRUE(v.compare_exchange(3, 4));
  EXPECT_FALSE(v.compare_exchange(3, 5));
  EXPECT_EQ(v.get(), 4);
  EXPECT_THROW(client_.value<double>(name()), Exists);  // another element type

  auto f = client_.value<double>(name("f"));
  EXPECT_DOUBLE_EQ(f.incr(1.5), 1.5);
  f -= 0.5;
  EXPECT_DOUBLE_EQ(f.get(), 1.0);

  auto s = client_.value<std::string>(name("s"), "init");
  EXPECT_EQ(s.get(), "init");
  s = "next";
  EXPECT_EQ(s.get(), "next");
  auto ints = client_.value<int>(name("i"));
  Value<std::string> as_text(client_, ints.name());
  EXPECT_THROW(as_text.set("text"), ValueError);  // an int value checks what it stores
}

TEST_F(DataProxies, ArrayEverything) {
  auto a = client_.array<long>(name(), 4);
  EXPECT_EQ(a.size(), 4u);
  EXPECT_EQ(a.to_vector(), (std::vector<long>{0, 0, 0, 0}));
  a[1] = 7;
  a.set(-1, 9);
  EXPECT_EQ(a.at(1), 7);
  EXPECT_EQ(a[-1], 9);
  EXPECT_EQ(a.incr(1, 3), 10);
  a[0] += 2;
  EXPECT_EQ(a.range(0, 2), (std::vector<long>{2, 10}));
  EXPECT_THROW(a.at(4), IndexError);
  EXPECT_THROW(a.set(4, 1), IndexError);
  EXPECT_EQ(client_.array<long>(name(), 4).size(), 4u);  // same shape: opens it
  EXPECT_THROW(client_.array<long>(name(), 5), Exists);

  auto d = client_.array<double>(name("d"), std::vector<double>{0.5, 1.5});
  EXPECT_EQ(d.to_vector(), (std::vector<double>{0.5, 1.5}));
  auto anon = client_.array<std::string>(std::vector<std::string>{"a", "b"});
  EXPECT_EQ(anon.at(1), "b");
  EXPECT_TRUE(anon.anonymous());
}

TEST_F(DataProxies, ObjectManagement) {
  auto d = client_.dict<std::string, int>(name());
  d["a"] = 1;
  EXPECT_TRUE(client_.exists(d.name()));
  EXPECT_EQ(client_.type(d.name()), "dict");
  ObjectInfo info = d.describe();
  EXPECT_EQ(info.type, "dict");
  EXPECT_EQ(info.size, 1);
  auto names = client_.objects(name("*"));
  EXPECT_NE(std::find(names.begin(), names.end(), d.name()), names.end());
  EXPECT_EQ(client_.del(d.name()), 1);
  EXPECT_FALSE(client_.exists(d.name()));
  EXPECT_EQ(client_.type(d.name()), "none");
  EXPECT_THROW(client_.describe(d.name()), NotFound);
}

TEST_F(DataProxies, AnonymousObjectsAreReferenceCounted) {
  std::string n;
  {
    auto d = client_.dict<std::string, int>();
    EXPECT_TRUE(d.anonymous());
    n = d.name();
    d["a"] = 1;
    auto copy = d;  // copies share this process's one reference
    EXPECT_EQ(copy.describe().refs, 1);
    Client other = connect();
    EXPECT_TRUE(other.exists(n));
  }
  // The last copy is gone: the server deleted it.
  EXPECT_TRUE(wait_until([&] { return !client_.exists(n); }));
}

TEST_F(DataProxies, AnonymousObjectsDieWithTheirClient) {
  std::string n;
  {
    Client c = connect();
    auto q = c.queue<int>();
    n = q.name();
    q.put(1);
    q.put(2);
    // A reference held by a connection also goes when that connection closes.
  }
  EXPECT_TRUE(wait_until([&] { return !client_.exists(n); }));
}

}  // namespace
}  // namespace procshare::test

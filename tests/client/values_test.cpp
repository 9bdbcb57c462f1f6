// The value encoding (values.hpp, docs/values.md): round trips of every codec
// through the real server, the fixture bytes shared with the Python client,
// printing as Python prints, and shared objects stored as references.
#include <fstream>
#include <map>
#include <sstream>

#include "client_fixture.hpp"

namespace procshare::test {
namespace {

using namespace std::chrono_literals;

struct Job {
  std::string name;
  std::vector<int> steps;
  std::optional<double> weight;
  bool operator==(const Job&) const = default;
};
PROCSHARE_FIELDS(Job, name, steps, weight)

struct Outer {
  Job job;
  std::map<std::string, std::pair<int, std::string>> tags;
  bool operator==(const Outer&) const = default;
};
PROCSHARE_FIELDS(Outer, job, tags)

std::string bytes(std::string_view s) {
  return std::string(s);
}

template <class T>
std::string stored(const T& v) {
  return codec<T>::encode(v);
}

using ValuesTest = ClientTest;

// Each value through a Dict<std::string, T> on the server and back.
template <class T>
void round_trip(const Client& c, const std::string& dict, const T& v) {
  auto d = c.dict<std::string, T>(dict);
  d["k"] = v;
  EXPECT_EQ(d.at("k"), v) << "stored as " << repr(stored(v));
}

TEST_F(ValuesTest, RoundTripsOfEveryCodec) {
  const auto n = name();
  round_trip(client_, n, 42);
  round_trip(client_, n, std::int64_t{-7});
  round_trip(client_, n, std::uint64_t{18446744073709551615ULL});
  round_trip(client_, n, 0.1);
  round_trip(client_, n, 2.0f);
  round_trip(client_, n, true);
  round_trip(client_, n, std::string("hello"));
  round_trip(client_, n, std::string("42"));  // reads back as a string in C++
  round_trip(client_, n, Text("42"));
  round_trip(client_, n, Bytes{std::byte{0xff}, std::byte{0}});
  round_trip(client_, n, Bytes{std::byte{'a'}});
  round_trip(client_, n, std::vector<int>{1, 2, 3});
  round_trip(client_, n, std::vector<std::string>{"a", "", "\"quoted\"\n"});
  round_trip(client_, n, std::deque<double>{1.5, -0.0, 1e100});
  round_trip(client_, n, std::list<int>{});
  round_trip(client_, n, std::array<int, 3>{7, 8, 9});
  round_trip(client_, n, std::map<std::string, int>{{"a", 1}, {"b", 2}});
  round_trip(client_, n, std::map<std::string, int>{{"$x", 1}});  // $map form
  round_trip(client_, n, std::map<int, std::string>{{1, "x"}, {-2, "y"}});
  round_trip(client_, n, std::unordered_map<std::string, std::vector<int>>{{"v", {1}}});
  round_trip(client_, n, std::set<int>{3, 1, 2});
  round_trip(client_, n, std::unordered_set<std::string>{"b", "a"});
  round_trip(client_, n, std::pair<int, std::string>{1, "one"});
  round_trip(client_, n, std::tuple<int, double, std::string>{1, 2.5, "x"});
  round_trip(client_, n, std::optional<int>{});
  round_trip(client_, n, std::optional<int>{5});
  round_trip(client_, n, std::optional<std::vector<int>>{std::vector<int>{1}});
  round_trip(client_, n, std::variant<int, std::string>{7});
  round_trip(client_, n, std::variant<int, std::string>{std::string("seven")});
  round_trip(client_, n, std::variant<std::monostate, double, bool>{});
  round_trip(client_, n, std::variant<std::monostate, double, bool>{true});
  round_trip(client_, n, std::chrono::milliseconds(1500));
  round_trip(client_, n, std::chrono::nanoseconds(-3));
  round_trip(client_, n,
             std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456)));
  round_trip(client_, n, std::numeric_limits<double>::infinity());
  round_trip(client_, n, std::vector<double>{std::numeric_limits<double>::infinity()});
  round_trip(client_, n, std::vector<Bytes>{{std::byte{0}, std::byte{1}}});
  round_trip(client_, n, Job{"build", {1, 2}, std::nullopt});
  round_trip(client_, n, Outer{{"x", {}, 0.5}, {{"t", {1, "one"}}}});
  round_trip(client_, n, std::vector<Job>{{"a", {1}, 1.0}, {"b", {}, std::nullopt}});

  double nan = std::numeric_limits<double>::quiet_NaN();
  auto d = client_.dict<std::string, double>(n + ".nan");
  d["k"] = nan;
  EXPECT_TRUE(std::isnan(d.at("k")));
}

TEST_F(ValuesTest, BytesAsDocsValuesSays) {
  EXPECT_EQ(stored(1), "1");
  EXPECT_EQ(stored(-7), "-7");
  EXPECT_EQ(stored(1.5), "1.5");
  EXPECT_EQ(stored(2.0), "2.0");
  EXPECT_EQ(stored(1e100), "1e+100");
  EXPECT_EQ(stored(1e16), "1e+16");
  EXPECT_EQ(stored(1e15), "1000000000000000.0");
  EXPECT_EQ(stored(0.0001), "0.0001");
  EXPECT_EQ(stored(0.00001), "1e-05");
  EXPECT_EQ(stored(-0.0), "-0.0");
  EXPECT_EQ(stored(std::string("hello")), "hello");
  EXPECT_EQ(stored(Text("42")), bytes(std::string_view("\0s42", 4)));
  EXPECT_EQ(stored(Text("hello")), "hello");
  EXPECT_EQ(stored(Bytes{std::byte{0xff}, std::byte{0}}), "\xff" + std::string(1, '\0'));
  EXPECT_EQ(stored(Bytes{std::byte{'a'}, std::byte{'b'}, std::byte{'c'}}),
            bytes(std::string_view("\0babc", 5)));
  EXPECT_EQ(stored(std::optional<int>{}), bytes(std::string_view("\0jnull", 6)));
  EXPECT_EQ(stored(true), bytes(std::string_view("\0jtrue", 6)));
  EXPECT_EQ(stored(std::vector<std::variant<int, std::string>>{1, "a"}),
            bytes(std::string_view("\0j[1,\"a\"]", 9)));
  EXPECT_EQ(stored(std::pair{1, 2}), bytes(std::string_view("\0j{\"$tuple\":[1,2]}", 18)));
  EXPECT_EQ(stored(std::map<std::string, int>{{"a", 1}}),
            bytes(std::string_view("\0j{\"a\":1}", 9)));
  EXPECT_EQ(stored(std::map<int, std::string>{{1, "x"}}),
            bytes(std::string_view("\0j{\"$map\":[[1,\"x\"]]}", 20)));
  EXPECT_EQ(stored(std::set<int>{2, 1}), bytes(std::string_view("\0j{\"$set\":[1,2]}", 16)));
  EXPECT_EQ(stored(std::unordered_set<int>{5, 3, 4, 1, 2}),
            bytes(std::string_view("\0j{\"$set\":[1,2,3,4,5]}", 22)));
  EXPECT_EQ(stored(std::chrono::seconds(1)),
            bytes(std::string_view("\0j{\"$duration_ns\":1000000000}", 29)));
  EXPECT_EQ(stored(Job{"a", {1}, std::nullopt}),
            bytes(std::string_view("\0j{\"name\":\"a\",\"steps\":[1],\"weight\":null}", 40)));
  EXPECT_EQ(stored(std::vector<std::string>{"\x01\"\\é"}),
            bytes(std::string_view("\0j[\"\\u0001\\\"\\\\é\"]", 18)));
}

TEST_F(ValuesTest, ReadingRefusesWhatItCannotBe) {
  EXPECT_THROW(codec<int>::decode("1.5"), ValueError);
  EXPECT_THROW(codec<std::vector<int>>::decode("hello"), ValueError);
  EXPECT_THROW(codec<std::vector<int>>::decode(std::string_view("\0j[1,\"a\"]", 9)), ValueError);
  EXPECT_THROW(codec<std::vector<int>>::decode(std::string_view("\0j[1,", 5)), ValueError);
  EXPECT_THROW(codec<std::vector<int>>::decode(std::string_view("\0p\x80\x04", 4)), ValueError);
  EXPECT_THROW(codec<std::vector<int>>::decode(std::string_view("\0q", 2)), ValueError);
  EXPECT_THROW(codec<std::vector<int>>::decode(std::string_view("\0j{\"$new\":1}", 12)),
               ValueError);
  EXPECT_THROW(codec<Job>::decode(std::string_view("\0j{\"name\":\"a\"}", 14)), ValueError);
  EXPECT_THROW(codec<std::uint8_t>::decode(std::string_view("\0j300", 5)), ValueError);
  EXPECT_THROW(codec<std::vector<std::string>>::encode({"\xff"}), ValueError);
  // A string written by Python (escaped) and tagged JSON forms read in C++.
  EXPECT_EQ(codec<std::string>::decode(std::string_view("\0s42", 4)), "42");
  EXPECT_EQ(codec<int>::decode(std::string_view("\0j5", 3)), 5);
  EXPECT_EQ(codec<double>::decode("7"), 7.0);
  EXPECT_EQ((codec<std::vector<int>>::decode(std::string_view("\0j{\"$tuple\":[1]}", 16))),
            std::vector<int>{1});
}

// Every case of tests/fixtures/value_encoding.json that a C++ type holds:
// the same bytes as Python writes, and read back.
TEST_F(ValuesTest, FixtureBytesSharedWithPython) {
  std::ifstream f(std::string(PROCSHARE_SOURCE_DIR) + "/tests/fixtures/value_encoding.json");
  ASSERT_TRUE(f);
  auto doc = values::json::parse(f);
  std::map<std::string, std::string> hex;
  for (const auto& c : doc["cases"])
    hex[c["python"].get<std::string>()] = c["hex"].get<std::string>();
  auto unhex = [&](const std::string& py) {
    EXPECT_TRUE(hex.count(py)) << py;
    std::string out;
    const std::string& h = hex[py];
    for (std::size_t i = 0; i + 1 < h.size(); i += 2) {
      out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
    }
    return out;
  };
  auto both = [&](const std::string& py, const auto& v) {
    using T = std::remove_cvref_t<decltype(v)>;
    const std::string b = unhex(py);
    EXPECT_EQ(codec<T>::encode(v), b) << py;
    EXPECT_EQ(codec<T>::decode(b), v) << py;
  };
  both("1", 1);
  both("-7", std::int64_t{-7});
  both("1.5", 1.5);
  both("2.0", 2.0);
  both("1e+100", 1e100);
  both("-0.0", -0.0);
  both("'hello'", std::string("hello"));
  both("'42'", Text("42"));
  both("''", std::string());
  both("'h\\u00e9llo'", std::string("h\xc3\xa9llo"));
  both("b'\\xff\\x00'", Bytes{std::byte{0xff}, std::byte{0}});
  both("b'abc'", Bytes{std::byte{'a'}, std::byte{'b'}, std::byte{'c'}});
  both("None", std::optional<int>{});
  both("True", true);
  both("False", false);
  both("[1, 'a']", std::vector<std::variant<int, std::string>>{1, "a"});
  both("(1, 2)", std::pair<int, int>{1, 2});
  both("{'a': 1}", std::map<std::string, int>{{"a", 1}});
  both("{1: 'x'}", std::map<int, std::string>{{1, "x"}});
  both("{1, 2}", std::set<int>{1, 2});
  both("{'$x': 1}", std::map<std::string, int>{{"$x", 1}});
  both("float('inf')", std::numeric_limits<double>::infinity());
  both("datetime.timedelta(seconds=1)", std::chrono::seconds(1));
  both("{'k': b'\\x00\\x01'}", std::map<std::string, Bytes>{{"k", {std::byte{0}, std::byte{1}}}});
  EXPECT_EQ(codec<std::set<std::string>>::decode(unhex("frozenset({'a'})")),
            std::set<std::string>{"a"});
  EXPECT_THROW(codec<std::int64_t>::decode(unhex("123456789012345678901234567890")), ValueError);
}

TEST_F(ValuesTest, IntegersStayPlainForIncr) {
  auto d = client_.dict<std::string, long>(name());
  d["n"] = 41;
  EXPECT_EQ(d.incr("n"), 42);
  auto raw = client_.dict<std::string, std::string>(d.name());
  EXPECT_EQ(raw.at("n"), "42");
}

TEST_F(ValuesTest, PrintsAsPythonPrints) {
  EXPECT_EQ(repr(std::string("it's")), "\"it's\"");
  EXPECT_EQ(repr(std::string("a\nb'\"")), "'a\\nb\\'\"'");
  EXPECT_EQ(repr(std::vector<int>{1, 2}), "[1, 2]");
  EXPECT_EQ(repr(std::tuple<int>{1}), "(1,)");
  EXPECT_EQ(repr(std::pair<int, std::string>{1, "a"}), "(1, 'a')");
  EXPECT_EQ(repr(std::set<int>{}), "set()");
  EXPECT_EQ(repr(std::map<std::string, std::optional<double>>{{"a", 2.0}, {"b", {}}}),
            "{'a': 2.0, 'b': None}");
  EXPECT_EQ(repr(true), "True");
  EXPECT_EQ(repr(Bytes{std::byte{'a'}, std::byte{0}}), "b'a\\x00'");
  EXPECT_EQ(repr(std::chrono::milliseconds(1500)),
            "datetime.timedelta(seconds=1, microseconds=500000)");
  EXPECT_EQ(repr(std::chrono::seconds(-1)), "datetime.timedelta(days=-1, seconds=86399)");
  EXPECT_EQ(repr(std::chrono::system_clock::time_point(std::chrono::seconds(86400 + 3661))),
            "datetime.datetime(1970, 1, 2, 1, 1, 1, tzinfo=datetime.timezone.utc)");
  EXPECT_EQ(repr(Job{"a", {1}, std::nullopt}), "{'name': 'a', 'steps': [1], 'weight': None}");
  EXPECT_EQ(str(std::string("plain")), "plain");

  auto d = client_.dict<std::string, std::vector<int>>(name());
  d["a"] = {1, 2};
  d["b"] = {};
  std::ostringstream os;
  os << d << " " << d["a"];
  EXPECT_EQ(os.str(), "{'a': [1, 2], 'b': []} [1, 2]");
  EXPECT_EQ(fmt::format("{}|{}", d, d["b"]), "{'a': [1, 2], 'b': []}|[]");

  auto l = client_.list<std::string>(name("l"));
  l.extend({"x", "y"});
  auto s = client_.set<int>(name("s"));
  s.add(3);
  auto ns = client_.namespace_(name("ns"));
  ns.set("x", 10);
  ns.set("y", std::string("hello"));
  ns.set("z", std::vector<int>{1});
  auto v = client_.value<double>(name("v"), 2.0);
  auto a = client_.array<int>(name("a"), std::vector<int>{1, 2});
  EXPECT_EQ(fmt::format("{} {} {} {} {}", l, s, ns, v, a),
            "['x', 'y'] {3} Namespace(x=10, y='hello', z=[1]) Value(2.0) [1, 2]");
  std::ostringstream os2;
  os2 << l[0] << ns["y"] << a[1] << ns["z"];
  EXPECT_EQ(os2.str(), "xhello2[1]");
  EXPECT_EQ(fmt::format("{}", client_.set<int>(name("empty"))), "set()");

  // Proxies with nothing to show print as a reference to them prints.
  auto q = client_.queue<int>(name("q"));
  q.put(1);
  std::ostringstream os3;
  os3 << client_.lock(name("lk")) << client_.rlock(name("rl")) << q
      << client_.joinable_queue<int>(name("jq")) << client_.semaphore(name("sem"))
      << client_.bounded_semaphore(name("bs")) << client_.event(name("ev"))
      << client_.barrier(name("ba"), 2) << client_.condition(name("cv"));
  EXPECT_EQ(os3.str(), fmt::format("<lock '{}'><rlock '{}'><queue '{}'><joinablequeue '{}'>"
                                   "<semaphore '{}'><boundedsemaphore '{}'><event '{}'>"
                                   "<barrier '{}'><condition '{}'>",
                                   name("lk"), name("rl"), name("q"), name("jq"), name("sem"),
                                   name("bs"), name("ev"), name("ba"), name("cv")));
  EXPECT_EQ(q.size(), 1u);  // printing took nothing
  EXPECT_EQ(fmt::format("{}", client_.lock(name("lk"))), fmt::format("<lock '{}'>", name("lk")));
}

TEST_F(ValuesTest, ElementReferencesCompareAsTheirElements) {
  auto s = client_.dict<std::string, std::string>(name());
  s["a"] = "b";
  EXPECT_TRUE(s["a"] == std::string("b"));
  EXPECT_TRUE(s["a"] == "b");
  EXPECT_TRUE("b" == s["a"]);
  EXPECT_TRUE(s["a"] != "c");
  EXPECT_TRUE(s["a"] < std::string("c"));
  auto n = client_.dict<int, int>(name("n"));
  n[1] = 5;
  n[2] = 5;
  EXPECT_TRUE(n[1] == 5);
  EXPECT_TRUE(n[1] == n[2]);
  EXPECT_TRUE(n[1] > 4);
  EXPECT_TRUE(n[1] + 1 == 6);
  // `auto r = d[k]` is a reference: it reads the element when used.
  auto r = n[1];
  n[1] = 6;
  EXPECT_EQ(r, 6);
  int copy = n[1];
  n[1] = 7;
  EXPECT_EQ(copy, 6);
}

TEST_F(ValuesTest, IterationOverEveryContainer) {
  auto d = client_.dict<std::string, int>(name("d"));
  d.update({{"a", 1}, {"b", 2}});
  std::vector<std::pair<std::string, int>> seen;
  for (const auto& [k, v] : d) seen.emplace_back(k, v);
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int>>{{"a", 1}, {"b", 2}}));

  auto l = client_.list<int>(name("l"));
  int count = 0;
  for (int x : l) count += x;
  EXPECT_EQ(count, 0);
  l.extend({1, 2, 3});
  for (int x : l) count += x;
  EXPECT_EQ(count, 6);

  auto s = client_.set<std::string>(name("s"));
  s.add_all({"x", "y"});
  std::set<std::string> members;
  std::ranges::copy(s, std::inserter(members, members.end()));
  EXPECT_EQ(members, (std::set<std::string>{"x", "y"}));

  auto ns = client_.namespace_(name("ns"));
  ns.set("x", 1);
  ns.set("y", std::vector<int>{2});
  std::vector<std::string> attrs;
  for (const auto& [attr, value] : ns) attrs.push_back(attr + "=" + repr(value));
  EXPECT_EQ(attrs, (std::vector<std::string>{"x=1", "y=[2]"}));
  EXPECT_EQ((*ns.begin()).second.as<int>(), 1);
}

TEST_F(ValuesTest, IteratesOverOneHundredThousandEntries) {
  constexpr int kN = 100'000;
  auto d = client_.dict<int, int>(name("d"));
  auto l = client_.list<int>(name("l"));
  auto s = client_.set<int>(name("s"));
  std::vector<std::pair<int, int>> items;
  std::vector<int> values;
  for (int i = 0; i < kN; ++i) {
    items.emplace_back(i, 2 * i);
    values.push_back(i);
  }
  for (std::size_t i = 0; i < items.size(); i += 10'000) {
    d.update(std::vector<std::pair<int, int>>(items.begin() + i, items.begin() + i + 10'000));
    l.extend(std::vector<int>(values.begin() + i, values.begin() + i + 10'000));
    s.add_all(std::vector<int>(values.begin() + i, values.begin() + i + 10'000));
  }
  long long dsum = 0, lsum = 0, ssum = 0;
  int dn = 0, ln = 0, sn = 0, expected = 0;
  bool in_order = true;
  for (const auto& [k, v] : d) {
    in_order = in_order && k == dn && v == 2 * k;
    dsum += v;
    ++dn;
  }
  for (int x : l) {
    in_order = in_order && x == expected++;
    lsum += x;
    ++ln;
  }
  for (int x : s) {
    ssum += x;
    ++sn;
  }
  EXPECT_TRUE(in_order);
  EXPECT_EQ(dn, kN);
  EXPECT_EQ(ln, kN);
  EXPECT_EQ(sn, kN);
  const long long total = static_cast<long long>(kN) * (kN - 1) / 2;
  EXPECT_EQ(dsum, 2 * total);
  EXPECT_EQ(lsum, total);
  EXPECT_EQ(ssum, total);
}

// Range-for over a dict, set or namespace reads in batches (DICT.SCAN,
// SET.SCAN, NS.SCAN): across batch boundaries each element comes once when
// nothing changes, and while another client deletes most of a dict between
// batches, every key that stays comes at least once.
TEST_F(ValuesTest, RangeForReadsInBatchesAndKeepsWhatStays) {
  auto ns = client_.namespace_(name("ns"));
  for (int i = 0; i < 2500; ++i) ns.set("a" + std::to_string(i), i);
  int expected = 0;
  for (const auto& [attr, value] : ns) {
    ASSERT_EQ(attr, "a" + std::to_string(expected));
    ASSERT_EQ(value.as<int>(), expected);
    ++expected;
  }
  EXPECT_EQ(expected, 2500);

  auto d = client_.dict<int, int>(name("d"));
  std::vector<std::pair<int, int>> items;
  for (int i = 0; i < 20'000; ++i) items.emplace_back(i, i);
  d.update(items);
  Client other = connect();
  auto same = other.dict<int, int>(d.name());
  std::map<int, int> seen;
  int batches = 0, next_doomed = 1;
  for (const auto& [k, v] : d) {
    ++seen[k];
    // Each time the distinct keys seen reach a multiple of 1000, the other
    // client deletes the next 3,000 odd keys, from the front, until all
    // are gone: once the server compacts the dict, entries move left past
    // the cursor.
    if (seen.size() % 1000 == 0 && next_doomed < 20'000 && batches++ < 10) {
      std::vector<std::string> del{"HDEL", d.name()};
      for (int j = 0; j < 3000 && next_doomed < 20'000; ++j, next_doomed += 2) {
        del.push_back(procshare::encode(next_doomed));
      }
      std::vector<std::string_view> views(del.begin(), del.end());
      ASSERT_GT(other.call(views).integer, 0);
    }
  }
  for (int i = 0; i < 20'000; i += 2) ASSERT_GE(seen[i], 1) << i << " was skipped";
  EXPECT_EQ(same.size(), 10'000u);
}

// A proxy stored as a value is a reference to its object: the inner
// container is changed in place, by every process.
TEST_F(ValuesTest, NestedProxiesAcrossFork) {
  auto outer = client_.dict<std::string, List<int>>(name("outer"));
  auto inner = client_.list<int>(name("inner"));
  outer["xs"] = inner;
  const std::string want = std::string("\0j", 2) + "{\"$ref\":[\"list\",\"" + inner.name() + "\"]}";
  EXPECT_EQ(client_.command("DICT.GET", outer.name(), "xs").str, want);

  // Anonymous inner objects: the stored reference keeps them alive.
  auto jobs = client_.list<Dict<std::string, int>>(name("jobs"));
  for (int i = 0; i < 3; ++i) {
    auto job = client_.dict<std::string, int>();
    job["id"] = i;
    jobs.append(job);
  }
  for (int child = 0; child < 3; ++child) {
    EXPECT_EQ(wait_child(in_child([&] {
                for (int i = 0; i < 10; ++i) outer.at("xs").append(child);
                for (const auto& job : jobs) job["done"] += 1;
                return 0;
              })),
              0);
  }
  EXPECT_EQ(inner.size(), 30u);
  for (const auto& job : jobs) EXPECT_EQ(job.at("done"), 3);
  EXPECT_EQ(jobs.at(2).at("id"), 2);
  EXPECT_EQ(repr(outer),
            "{'xs': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, "
            "2, 2, 2, 2, 2, 2, 2, 2, 2]}");
  // A reference to another type is refused, naming what it is.
  auto wrong = client_.dict<std::string, Set<int>>(outer.name());
  EXPECT_THROW(wrong.at("xs"), ValueError);
}

}  // namespace
}  // namespace procshare::test

// Issue 3 through the real server: every command of PROTOCOL.md §5 and §6 over
// real sockets, with its normal replies and each error code it can return, in
// RESP2 and (where the shape differs) RESP3. Each table is a transcript (see
// transcript.hpp) replayed against a fresh server twice: once with connection
// 0 on the Unix socket, once on TCP (the other connections alternate), and
// after every error the connection must still answer. The §5 tables are here,
// the §6 ones in data_type_tables.cpp and waiting_type_tables.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "command_tables.hpp"
#include "support/server_process.hpp"
#include "transcript.hpp"

namespace procshare::test {
namespace {

// §5: CREATE (EXISTOK matching, options, names), DEL, EXISTS, TYPE, OBJECTS.
Table objects_table() {
  return {"Objects",
          {
              {"CREATE dict d", "+OK"},
              {"CREATE dict d", "-EXISTS"},
              {"CREATE dict d EXISTOK", "+OK"},
              {"CREATE list d EXISTOK", "-EXISTS"},
              {"CREATE nosuchtype x", "-ERR"},
              {"CREATE dict", "-ERR wrong number of arguments for 'create' command"},
              {"CREATE dict d2 BOGUS", "-ERR"},
              {"CREATE dict \"\"", "-ERR"},
              {"CREATE dict " + std::string(513, 'n'), "-ERR"},
              {"CREATE dict " + std::string(512, 'n'), "+OK"},
              {"CREATE dict \"bin\\x00\\xffary\"", "+OK"},
              {"TYPE \"bin\\x00\\xffary\"", "+dict"},
              {"EXISTS d2", ":0"},
              // EXISTOK: same type and options; a default matches a left-out option.
              {"CREATE queue q MAXSIZE 5", "+OK"},
              {"CREATE queue q MAXSIZE 5 EXISTOK", "+OK"},
              {"CREATE queue q EXISTOK MAXSIZE 5", "+OK"},
              {"CREATE queue q MAXSIZE 6 EXISTOK", "-EXISTS"},
              {"CREATE queue q EXISTOK", "-EXISTS"},
              {"CREATE queue q2 EXISTOK", "+OK"},
              {"CREATE queue q2 MAXSIZE 0 EXISTOK", "+OK"},
              {"CREATE queue q2 LIFO EXISTOK", "-EXISTS"},
              {"CREATE joinablequeue q2 EXISTOK", "-EXISTS"},
              {"CREATE semaphore s", "+OK"},
              {"CREATE semaphore s VALUE 1 EXISTOK", "+OK"},
              {"CREATE semaphore s VALUE 2 EXISTOK", "-EXISTS"},
              {"CREATE boundedsemaphore s EXISTOK", "-EXISTS"},
              {"CREATE value v", "+OK"},
              {"CREATE value v TYPE bytes EXISTOK", "+OK"},
              {"CREATE value v TYPE int EXISTOK", "-EXISTS"},
              {"CREATE value n TYPE int INIT 0", "+OK"},
              {"CREATE value n TYPE int EXISTOK", "+OK"},
              {"CREATE array a TYPE int LEN 3", "+OK"},
              {"CREATE array a TYPE int LEN 3 EXISTOK", "+OK"},
              {"CREATE array a TYPE int LEN 4 EXISTOK", "-EXISTS"},
              {"CREATE array a TYPE float LEN 3 EXISTOK", "-EXISTS"},
              {"CREATE barrier b PARTIES 2", "+OK"},
              {"CREATE barrier b PARTIES 2 EXISTOK", "+OK"},
              {"CREATE barrier b PARTIES 3 EXISTOK", "-EXISTS"},
              {"CREATE condition c LOCK m", "+OK"},
              {"CREATE condition c LOCK m EXISTOK", "+OK"},
              {"CREATE condition c EXISTOK", "-EXISTS"},
              // a failed CREATE leaves nothing behind: not the lock it named
              {"CREATE condition c LOCK brandnew EXISTOK", "-EXISTS"},
              {"EXISTS brandnew", ":0"},
              {"CREATE condition own", "+OK"},
              {"CREATE condition own EXISTOK", "+OK"},
              {"CREATE lock m EXISTOK", "+OK"},  // made by the condition's LOCK m
              {"CREATE dict a EXISTOK", "-EXISTS"},
              // EXISTS, TYPE
              {"EXISTS d q nosuch d", ":3"},
              {"EXISTS", "-ERR"},
              {"TYPE d", "+dict"},
              {"TYPE q", "+queue"},
              {"TYPE m", "+lock"},
              {"TYPE nosuch", "+none"},
              {"TYPE", "-ERR"},
              {"TYPE d q", "-ERR"},
              // OBJECTS glob (Redis KEYS syntax), names sorted
              {"CREATE dict user:1", "+OK"},
              {"CREATE dict user:2", "+OK"},
              {"CREATE dict user:10", "+OK"},
              {"CREATE dict user:x", "+OK"},
              {"OBJECTS user:?", "*[$user:1, $user:2, $user:x]"},
              {"OBJECTS user:*", "*[$user:1, $user:10, $user:2, $user:x]"},
              {"OBJECTS user:[0-9]", "*[$user:1, $user:2]"},
              {"OBJECTS user:[^0-9]", "*[$user:x]"},
              {"OBJECTS [bc]", "*[$b, $c]"},
              {"OBJECTS nomatch*", "*[]"},
              {"OBJECTS *", "*[$a, $b, $bin..."},
              {"OBJECTS a b", "-ERR"},
              // DEL
              {"DEL user:1 user:2 nosuch", ":2"},
              {"DEL user:1", ":0"},
              {"OBJECTS user:*", "*[$user:10, $user:x]"},
              {"DEL", "-ERR"},
              {"DICT.LEN d", ":0"},
              {"DEL d", ":1"},
              {"DICT.LEN d", "-NOTFOUND"},
              {"DESCRIBE d", "-NOTFOUND"},
              {"DESCRIBE", "-ERR"},
              // METHODS
              {"METHODS event", "*[$EVENT.CLEAR, $EVENT.ISSET, $EVENT.SET, $EVENT.WAIT]"},
              {"METHODS EVENT", "*[$EVENT.CLEAR, $EVENT.ISSET, $EVENT.SET, $EVENT.WAIT]"},
              {"METHODS nosuchtype", "-ERR"},
              {"METHODS", "-ERR"},
              // unknown commands
              {"DICT.NOPE d", "-ERR unknown command 'DICT.NOPE'..."},
              {"NOSUCHCOMMAND", "-ERR unknown command ..."},
          }};
}

// §5 implicit creation: a write creates its family's type, a read replies
// NOTFOUND, array and barrier never appear by themselves, and the object stays
// when the command that created it then fails.
Table implicit_table() {
  return {"Implicit",
          {
              {"DICT.SET scores alice 3", ":1"},
              {"TYPE scores", "+dict"},
              {"DICT.GET nod k", "-NOTFOUND"},
              {"DICT.LEN nod", "-NOTFOUND"},
              {"DICT.HAS nod k", "-NOTFOUND"},
              {"EXISTS nod", ":0"},
              // A write that fails creates nothing (it changes nothing).
              {"LIST.POP newlist", "-INDEXERROR"},
              {"TYPE newlist", "+none"},
              {"LIST.LEN nol", "-NOTFOUND"},
              {"SET.POP newset", "-KEYERROR"},
              {"TYPE newset", "+none"},
              {"SET.MEMBERS nos", "-NOTFOUND"},
              {"DICT.POPITEM newdict", "-KEYERROR"},
              {"TYPE newdict", "+none"},
              {"NS.DEL newns a", "-KEYERROR"},
              {"TYPE newns", "+none"},
              {"NS.GET nons a", "-NOTFOUND"},
              {"VALUE.INCRBY vi 5", ":5"},
              {"VALUE.GET vi", ":5"},
              {"VALUE.SET vi x", "-VALUEERROR"},  // an int value
              {"VALUE.INCRBYFLOAT vf 1.5", "$1.5"},
              {"VALUE.SET vf x", "-VALUEERROR"},  // a float value
              {"VALUE.SET vb hello", "+OK"},
              {"VALUE.GET vb", "$hello"},
              {"VALUE.CAS vc \"\" x", ":1"},  // a bytes value, empty by default
              {"VALUE.GET vc", "$x"},
              {"VALUE.INCRBY vbad x", "-VALUEERROR"},  // and creates nothing
              {"VALUE.GET nov", "-NOTFOUND"},
              {"QUEUE.PUT q1 a", "+OK"},
              {"TYPE q1", "+queue"},
              {"QUEUE.GET q2 NOWAIT", "-EMPTY"},
              {"TYPE q2", "+none"},
              {"QUEUE.SIZE noq", "-NOTFOUND"},
              {"QUEUE.EMPTY noq", "-NOTFOUND"},
              {"QUEUE.TASKDONE jq", "-VALUEERROR"},
              {"TYPE jq", "+none"},
              {"QUEUE.TASKDONE q1", "-WRONGTYPE"},
              {"CREATE joinablequeue jq", "+OK"},
              {"TYPE jq", "+joinablequeue"},
              {"LOCK.ACQUIRE l", ":1"},
              {"TYPE l", "+lock"},
              {"LOCK.RELEASE l2", "-NOTOWNER"},
              {"TYPE l2", "+none"},
              {"LOCK.LOCKED nol", "-NOTFOUND"},
              {"SEM.ACQUIRE s", ":1"},
              {"TYPE s", "+semaphore"},
              {"SEM.VALUE s", ":0"},
              {"SEM.VALUE nosem", "-NOTFOUND"},
              {"COND.NOTIFY c", "-NOTOWNER"},
              {"TYPE c", "+none"},
              {"CREATE condition c", "+OK"},
              {"EVENT.WAIT e TIMEOUT 0", ":0"},
              {"TYPE e", "+event"},
              {"EVENT.ISSET noe", "-NOTFOUND"},
              {"ARRAY.SET a 0 1", "-NOTFOUND"},
              {"ARRAY.INCRBY a 0 1", "-NOTFOUND"},
              {"ARRAY.GET a 0", "-NOTFOUND"},
              {"BARRIER.WAIT b", "-NOTFOUND"},
              {"BARRIER.RESET b", "-NOTFOUND"},
              {"BARRIER.ABORT b", "-NOTFOUND"},
              {"EXISTS a b", ":0"},
              // WRONGTYPE across families
              {"LIST.APPEND scores x", "-WRONGTYPE"},
              {"LIST.APPEND newlist x", ":1"},
              {"DICT.GET newlist 0", "-WRONGTYPE"},
              {"LOCK.ACQUIRE c", "-WRONGTYPE"},
              {"SEM.ACQUIRE l", "-WRONGTYPE"},
              {"QUEUE.GET e", "-WRONGTYPE"},
              {"VALUE.GET scores", "-WRONGTYPE"},
              {"EVENT.SET q1", "-WRONGTYPE"},
              {"COND.ACQUIRE l", "-WRONGTYPE"},
              {"OBJECTS",
               "*[$c, $e, $jq, $l, $newlist, $q1, "
               "$s, $scores, $vb, $vc, $vf, $vi]"},
          }};
}

// §5 reference counts: anonymous objects go at zero or with their holders'
// connections; named ones count too but stay until DEL.
Table refs_table() {
  return {"References",
          {
              {"CREATE dict *", "$=a"},
              {"TYPE {a}", "+dict"},
              {"OBJECTS anon:*", "*[${a}]"},
              {"DICT.SET {a} k v", ":1"},
              {"REF.DEC {a}", "-NOTOWNER", 1},  // only a holder drops a reference
              {"REF.INC {a}", ":2", 1},
              {"REF.DEC {a}", ":1"},
              {"REF.DEC {a}", ":0", 1},
              {"EXISTS {a}", ":0"},
              {"REF.DEC {a}", "-NOTFOUND"},
              // a gone anonymous name is never made again implicitly
              {"DICT.SET {a} k v", "-NOTFOUND"},
              {"QUEUE.PUT {a} x", "-NOTFOUND"},
              {"LOCK.ACQUIRE {a}", "-NOTFOUND"},
              {"SET {a} x", "-NOTFOUND"},
              {"RPUSH {a} x", "-NOTFOUND"},
              {"CREATE condition c LOCK {a}", "-NOTFOUND"},
              {"EXISTS {a}", ":0"},
              {"CREATE dict *", "$=b"},
              {"CREATE queue * MAXSIZE 2", "$=q"},
              {"QUEUE.PUT {q} x", "+OK", 1},
              {"CREATE queue * BOGUS", "-ERR"},
              {"close", "", 0},  // its creator goes: both go
              {"EXISTS {b} {q}", ":0", 1},
              // held by another connection too: it lives until both are gone
              {"CREATE list *", "$=l"},
              {"REF.INC {l}", ":2", 1},
              {"close", "", 0},
              {"EXISTS {l}", ":1", 2},
              {"SET {l} x", "-NOTFOUND", 2},  // never replaced by a fresh object
              {"TYPE {l}", "+list", 2},
              {"close", "", 1},
              {"EXISTS {l}", ":0", 2},
              // named objects count references but stay until DEL
              {"CREATE dict n", "+OK"},
              {"REF.DEC n", "-VALUEERROR"},
              {"REF.INC n", ":1"},
              {"REF.INC n", ":2", 1},
              {"close", "", 1},
              {"REF.DEC n", ":0"},
              {"REF.DEC n", "-VALUEERROR"},
              {"EXISTS n", ":1"},
              // only its holder drops a reference, by REF.DEC or by closing
              {"REF.INC n", ":1", 3},
              {"REF.DEC n", "-NOTOWNER", 4},
              {"close", "", 3},
              {"REF.DEC n", "-VALUEERROR", 4},
              {"REF.INC n", ":1", 4},
              {"REF.INC nosuch", "-NOTFOUND"},
              {"REF.DEC nosuch", "-NOTFOUND"},
              {"REF.INC", "-ERR"},
              {"REF.INC n n", "-ERR"},
              // DETACHED: a reference stored in a value, owned by no connection,
              // outlives its writer until REF.DEC ... DETACHED
              {"CREATE dict *", "$=s", 5},
              {"REF.INC {s} DETACHED", ":2", 5},
              {"REF.DEC {s} DETACHED", ":1", 5},
              {"REF.DEC {s} DETACHED", "-VALUEERROR", 5},
              {"REF.INC {s} detached", ":2", 5},
              {"REF.INC {s} DETACHED EXTRA", "-ERR", 5},
              {"close", "", 5},
              {"EXISTS {s}", ":1", 6},
              {"REF.DEC {s}", "-VALUEERROR", 6},
              {"REF.DEC {s} DETACHED", ":0", 6},
              {"EXISTS {s}", ":0", 6},
          }};
}

struct Case {
  Table table;
  bool tcp_first;
};

std::vector<Case> all_cases() {
  std::vector<Table> tables{objects_table(), implicit_table(), refs_table()};
  for (auto& t : data_type_tables()) tables.push_back(std::move(t));
  for (auto& t : waiting_type_tables()) tables.push_back(std::move(t));
  std::vector<Case> cases;
  for (const auto& t : tables) {
    for (bool tcp : {false, true}) cases.push_back({t, tcp});
  }
  return cases;
}

void PrintTo(const Case& c, std::ostream* os) {
  *os << c.table.name << (c.tcp_first ? " (TCP first)" : " (Unix first)");
}

class ObjectCommands : public ::testing::TestWithParam<Case> {};

TEST_P(ObjectCommands, Transcript) {
  ServerProcess server;
  Transcript t(server, GetParam().tcp_first);
  EXPECT_TRUE(t.run(GetParam().table.steps)) << "server log:\n" << server.log();
}

INSTANTIATE_TEST_SUITE_P(All, ObjectCommands, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.table.name + (info.param.tcp_first ? "Tcp" : "Unix");
                         });

// ---- DESCRIBE and METHODS, field by field ----

// DESCRIBE's fields as "name" -> reply in the compact notation.
std::map<std::string, std::string> describe(RawClient& c, const std::string& name) {
  Reply r = c.call({"DESCRIBE", name});
  std::map<std::string, std::string> fields;
  if (r.type != Reply::Type::array && r.type != Reply::Type::map) {
    ADD_FAILURE() << "DESCRIBE " << name << ": " << show(r);
    return fields;
  }
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    fields[r.elements[i].str] = show(r.elements[i + 1]);
  }
  return fields;
}

struct DescribeCase {
  std::vector<std::string> setup;  // run on connection 0 first
  std::string name;
  // Expected fields in RESP2 and in RESP3 (empty: the same as RESP2).
  std::map<std::string, std::string> resp2, resp3;
};

void expect_fields(const std::map<std::string, std::string>& got,
                   const std::map<std::string, std::string>& want, const std::string& what) {
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end()) {
      ADD_FAILURE() << what << ": no field '" << k << "'";
    } else {
      EXPECT_EQ(it->second, v) << what << ": field '" << k << "'";
    }
  }
}

TEST(Describe, EveryTypeReportsItsFields) {
  ServerProcess server;
  auto a = RawClient::unix_socket(server.unix_path());
  auto b = RawClient::tcp(server.tcp_port());
  const std::string a_id = ":" + std::to_string(a.call({"CLIENT", "ID"}).integer);
  std::vector<DescribeCase> cases = {
      {{"DICT.UPDATE d a 1 b 2"},
       "d",
       {{"type", "$dict"}, {"size", ":2"}, {"refs", ":0"}, {"waiters", ":0"}},
       {}},
      {{"LIST.EXTEND l a b c"}, "l", {{"type", "$list"}, {"size", ":3"}}, {}},
      {{"SET.ADD s a"}, "s", {{"type", "$set"}, {"size", ":1"}}, {}},
      {{"NS.SET n x 1"}, "n", {{"type", "$namespace"}, {"size", ":1"}}, {}},
      {{"CREATE value v TYPE int INIT 5"},
       "v",
       {{"type", "$value"}, {"size", ":1"}, {"elemtype", "$int"}},
       {}},
      {{"CREATE value vb"}, "vb", {{"size", ":1"}, {"elemtype", "$bytes"}}, {}},
      {{"CREATE array a TYPE float LEN 4"},
       "a",
       {{"type", "$array"}, {"size", ":4"}, {"elemtype", "$float"}},
       {}},
      {{"CREATE queue q MAXSIZE 3 LIFO", "QUEUE.PUT q x"},
       "q",
       {{"type", "$queue"}, {"size", ":1"}, {"maxsize", ":3"}, {"lifo", ":1"}},
       {{"lifo", "#t"}}},
      {{"CREATE joinablequeue j", "QUEUE.PUT j x", "QUEUE.PUT j y", "QUEUE.GET j"},
       "j",
       {{"type", "$joinablequeue"}, {"size", ":1"}, {"maxsize", ":0"}, {"unfinished", ":2"}},
       {}},
      {{"CREATE lock free"},
       "free",
       {{"type", "$lock"}, {"size", ":0"}, {"owner", "_"}, {"token", ":0"}, {"abandoned", ":0"}},
       {}},
      {{"LOCK.ACQUIRE held"}, "held", {{"owner", a_id}, {"token", ":1"}, {"abandoned", ":0"}}, {}},
      {{"CREATE rlock r", "LOCK.ACQUIRE r", "LOCK.ACQUIRE r"},
       "r",
       {{"type", "$rlock"}, {"owner", a_id}, {"token", ":2"}, {"depth", ":2"}},  // after held's
       {}},
      {{"CREATE semaphore sem VALUE 3", "SEM.ACQUIRE sem"},
       "sem",
       {{"type", "$semaphore"},
        {"size", ":0"},
        {"initial", ":3"},
        {"value", ":2"},
        {"unowned", ":0"}},
       {{"unowned", "#f"}}},
      {{"CREATE boundedsemaphore bsem VALUE 2"},
       "bsem",
       {{"type", "$boundedsemaphore"}, {"initial", ":2"}, {"value", ":2"}},
       {}},
      {{"CREATE semaphore usem VALUE 0 UNOWNED"},
       "usem",
       {{"type", "$semaphore"}, {"unowned", ":1"}},
       {{"unowned", "#t"}}},
      {{"CREATE condition c LOCK m"}, "c", {{"type", "$condition"}, {"lock", "$m"}}, {}},
      {{"EVENT.SET e"}, "e", {{"type", "$event"}, {"size", ":0"}, {"set", ":1"}}, {{"set", "#t"}}},
      {{"CREATE barrier bar PARTIES 2"},
       "bar",
       {{"type", "$barrier"}, {"parties", ":2"}, {"waiting", ":0"}, {"broken", ":0"}},
       {{"broken", "#f"}}},
      {{"CREATE dict *"}, "*", {{"type", "$dict"}, {"refs", ":1"}}, {}},
  };
  for (auto& dc : cases) {
    for (const auto& cmd : dc.setup) {
      Reply r = a.call(split_command(cmd));
      ASSERT_FALSE(r.is_error()) << cmd << ": " << r.str;
      if (dc.name == "*") dc.name = r.str;  // an anonymous object's name
    }
    expect_fields(describe(b, dc.name), dc.resp2, "RESP2 DESCRIBE " + dc.name);
  }
  ASSERT_EQ(b.call({"HELLO", "3"}).type, Reply::Type::map);
  for (const auto& dc : cases) {
    auto want = dc.resp2;
    for (const auto& [k, v] : dc.resp3) want[k] = v;
    expect_fields(describe(b, dc.name), want, "RESP3 DESCRIBE " + dc.name);
  }
  // The waiters of an object, and the lock's null owner in RESP3.
  b.send({"QUEUE.GET", "q2"});
  ASSERT_TRUE(wait_until([&] { return info_field(a, "blocked_clients") == 1; }));
  expect_fields(describe(a, "q2"), {{"waiters", ":1"}, {"size", ":0"}}, "DESCRIBE q2");
  ASSERT_EQ(a.call({"QUEUE.PUT", "q2", "x"}).str, "OK");
  EXPECT_EQ(b.read().str, "x");
  expect_fields(describe(a, "q2"), {{"waiters", ":0"}}, "DESCRIBE q2 after");
  expect_fields(describe(b, "free"), {{"owner", "_"}}, "RESP3 DESCRIBE free");
  // A lock freed because its owner vanished counts as abandoned.
  a.close();
  ASSERT_TRUE(wait_until([&] { return info_field(b, "connected_clients") == 1; }));
  expect_fields(describe(b, "held"), {{"owner", "_"}, {"token", ":1"}, {"abandoned", ":1"}},
                "DESCRIBE held after its owner left");
  expect_fields(describe(b, "sem"), {{"value", ":3"}}, "DESCRIBE sem after its holder left");
}

// The commands of each type, as §6 lists them.
const std::map<std::string, std::vector<std::string>>& type_commands() {
  static const std::map<std::string, std::vector<std::string>> commands = {
      {"dict",
       {"DICT.SET", "DICT.GET", "DICT.DEL", "DICT.HAS", "DICT.LEN", "DICT.KEYS", "DICT.VALUES",
        "DICT.ITEMS", "DICT.POP", "DICT.POPITEM", "DICT.SETDEFAULT", "DICT.UPDATE", "DICT.CLEAR",
        "DICT.INCRBY", "DICT.INCRBYFLOAT", "DICT.SCAN"}},
      {"set",
       {"SET.ADD", "SET.DISCARD", "SET.REMOVE", "SET.HAS", "SET.LEN", "SET.MEMBERS", "SET.POP",
        "SET.CLEAR", "SET.SCAN"}},
      {"list",
       {"LIST.APPEND", "LIST.EXTEND", "LIST.INSERT", "LIST.POP", "LIST.GET", "LIST.SET", "LIST.DEL",
        "LIST.LEN", "LIST.RANGE", "LIST.INDEX", "LIST.COUNT", "LIST.REMOVE", "LIST.REVERSE",
        "LIST.SORT", "LIST.CLEAR"}},
      {"namespace", {"NS.SET", "NS.GET", "NS.DEL", "NS.HAS", "NS.ATTRS", "NS.ITEMS", "NS.SCAN"}},
      {"value", {"VALUE.GET", "VALUE.SET", "VALUE.INCRBY", "VALUE.INCRBYFLOAT", "VALUE.CAS"}},
      {"array", {"ARRAY.GET", "ARRAY.SET", "ARRAY.LEN", "ARRAY.RANGE", "ARRAY.INCRBY"}},
      {"queue",
       {"QUEUE.PUT", "QUEUE.GET", "QUEUE.SIZE", "QUEUE.EMPTY", "QUEUE.FULL", "QUEUE.ACK",
        "QUEUE.NACK", "QUEUE.EXTEND"}},
      {"joinablequeue",
       {"QUEUE.PUT", "QUEUE.GET", "QUEUE.SIZE", "QUEUE.EMPTY", "QUEUE.FULL", "QUEUE.TASKDONE",
        "QUEUE.JOIN", "QUEUE.ACK", "QUEUE.NACK", "QUEUE.EXTEND"}},
      {"lock", {"LOCK.ACQUIRE", "LOCK.RELEASE", "LOCK.LOCKED", "LOCK.EXTEND"}},
      {"rlock", {"LOCK.ACQUIRE", "LOCK.RELEASE", "LOCK.LOCKED", "LOCK.EXTEND"}},
      {"semaphore", {"SEM.ACQUIRE", "SEM.RELEASE", "SEM.VALUE", "SEM.EXTEND"}},
      {"boundedsemaphore", {"SEM.ACQUIRE", "SEM.RELEASE", "SEM.VALUE", "SEM.EXTEND"}},
      {"condition",
       {"COND.ACQUIRE", "COND.RELEASE", "COND.WAIT", "COND.NOTIFY", "COND.NOTIFYALL",
        "COND.EXTEND"}},
      {"event", {"EVENT.SET", "EVENT.CLEAR", "EVENT.ISSET", "EVENT.WAIT"}},
      {"barrier",
       {"BARRIER.WAIT", "BARRIER.RESET", "BARRIER.ABORT", "BARRIER.PARTIES", "BARRIER.WAITING",
        "BARRIER.BROKEN"}},
  };
  return commands;
}

// Nulls differ on the wire only: $-1 in RESP2, _ in RESP3 (a lock's owner).
TEST(Describe, NullOwnerOnTheWire) {
  ServerProcess server;
  auto c = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(c.call({"CREATE", "lock", "l"}).str, "OK");
  auto raw_describe = [&] {
    c.send({"DESCRIBE", "l"});
    std::string raw;
    for (int i = 0; i < 50 && raw.find("abandoned\r\n:0\r\n") == std::string::npos; ++i) {
      raw += c.read_raw(200ms);
    }
    return raw;
  };
  EXPECT_NE(raw_describe().find("$5\r\nowner\r\n$-1\r\n"), std::string::npos);
  ASSERT_EQ(c.call({"HELLO", "3"}).type, Reply::Type::map);
  EXPECT_NE(raw_describe().find("$5\r\nowner\r\n_\r\n"), std::string::npos);
}

TEST(Methods, EveryTypeListsItsCommands) {
  ServerProcess server;
  auto c = RawClient::tcp(server.tcp_port());
  const auto& want = type_commands();
  for (const auto& [type, commands] : want) {
    Reply r = c.call({"METHODS", type});
    ASSERT_EQ(r.type, Reply::Type::array) << type << ": " << show(r);
    std::set<std::string> got;
    for (const auto& e : r.elements) got.insert(e.str);
    // The family's own commands, exactly (other helpers' commands, such as
    // Redis-compatible ones, may also accept the type).
    std::string prefix = commands[0].substr(0, commands[0].find('.') + 1);
    std::set<std::string> family;
    for (const auto& g : got) {
      if (g.rfind(prefix, 0) == 0) family.insert(g);
    }
    EXPECT_EQ(family, std::set<std::string>(commands.begin(), commands.end())) << type;
    EXPECT_TRUE(std::is_sorted(r.elements.begin(), r.elements.end(),
                               [](const Reply& x, const Reply& y) { return x.str < y.str; }))
        << type;
  }
}

// Ending a timed wait: TIMEOUT replies the timed-out answer after roughly the
// time asked, TIMEOUT 0 and NOWAIT at once, and the loop serves others meanwhile.
TEST(Timeouts, TimedOutAnswersComeOnTimeAndOthersAreServed) {
  ServerProcess server;
  auto waiter = RawClient::unix_socket(server.unix_path());
  auto other = RawClient::tcp(server.tcp_port());
  ASSERT_EQ(other.call({"LOCK.ACQUIRE", "l"}).integer, 1);
  ASSERT_EQ(other.call({"CREATE", "queue", "full", "MAXSIZE", "1"}).str, "OK");
  ASSERT_EQ(other.call({"QUEUE.PUT", "full", "x"}).str, "OK");
  ASSERT_EQ(other.call({"CREATE", "barrier", "b", "PARTIES", "2"}).str, "OK");
  ASSERT_EQ(other.call({"COND.ACQUIRE", "held"}).integer, 1);
  struct Wait {
    std::vector<std::string> cmd;
    std::string timed_out;
  };
  const std::vector<Wait> waits = {
      {{"QUEUE.GET", "q"}, "-EMPTY"},     {{"QUEUE.PUT", "full", "y"}, "-FULL"},
      {{"LOCK.ACQUIRE", "l"}, ":0"},      {{"SEM.ACQUIRE", "s0"}, ":0"},
      {{"EVENT.WAIT", "e"}, ":0"},        {{"COND.ACQUIRE", "held"}, ":0"},
      {{"BARRIER.WAIT", "b"}, "-BROKEN"},
  };
  ASSERT_EQ(other.call({"CREATE", "semaphore", "s0", "VALUE", "0"}).str, "OK");
  for (const auto& w : waits) {
    for (std::string t : {"0.05", "0"}) {
      if (w.cmd[0] == "BARRIER.WAIT") other.call({"BARRIER.RESET", "b"});
      auto cmd = w.cmd;
      cmd.insert(cmd.end(), {"TIMEOUT", t});
      auto start = std::chrono::steady_clock::now();
      waiter.send(cmd);
      if (t != "0") {
        // Parked; the loop answers another client meanwhile.
        EXPECT_EQ(other.call({"PING"}).str, "PONG");
      }
      Reply r = waiter.read();
      auto took = std::chrono::steady_clock::now() - start;
      EXPECT_TRUE(reply_matches(r, w.timed_out)) << cmd[0] << " TIMEOUT " << t << ": " << show(r);
      if (t == "0") {
        EXPECT_LT(took, 2s) << cmd[0];
      } else {
        EXPECT_GE(took, 45ms) << cmd[0];
        EXPECT_LT(took, 5s) << cmd[0];
      }
    }
  }
  // NOWAIT, for the commands that take it.
  for (const auto& w : waits) {
    if (w.cmd[0] == "EVENT.WAIT" || w.cmd[0] == "COND.ACQUIRE" || w.cmd[0] == "BARRIER.WAIT") {
      continue;
    }
    auto cmd = w.cmd;
    cmd.push_back("NOWAIT");
    EXPECT_TRUE(reply_matches(waiter.call(cmd), w.timed_out)) << cmd[0] << " NOWAIT";
  }
  EXPECT_EQ(info_field(other, "blocked_clients"), 0);
}

// Every command of §5 and §6 appears in at least one transcript above.
TEST(ObjectCommandsCoverage, EveryCommandIsInATranscript) {
  std::set<std::string> used;
  for (const auto& c : all_cases()) {
    for (const auto& step : c.table.steps) {
      std::string word = step.cmd.substr(0, step.cmd.find(' '));
      std::transform(word.begin(), word.end(), word.begin(), ::toupper);
      used.insert(word);
    }
  }
  std::set<std::string> all{"CREATE",   "DEL",     "EXISTS",  "TYPE",   "OBJECTS",
                            "DESCRIBE", "REF.INC", "REF.DEC", "METHODS"};
  for (const auto& [type, commands] : type_commands()) all.insert(commands.begin(), commands.end());
  for (const auto& name : all) EXPECT_TRUE(used.count(name)) << name << " is in no transcript";
}

}  // namespace
}  // namespace procshare::test

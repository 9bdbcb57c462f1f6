// Issue 3, the type-registration API: a user-defined `counter` type,
// registered in a tiny server (custom_type/custom_type_server.cpp) through
// the same public API as the built-in types, driven over real sockets like
// any built-in type: CREATE, implicit creation, errors, METHODS, DESCRIBE, a
// parked wait, DEL waking it.
#include <gtest/gtest.h>

#include <map>

#include "support/server_process.hpp"
#include "transcript.hpp"

namespace procshare::test {
namespace {

ServerProcess::Options custom_server() {
  ServerProcess::Options o;
  o.binary = PROCSHARE_CUSTOM_SERVER_BIN;
  return o;
}

TEST(CustomType, CounterRegisteredThroughThePublicApi) {
  ServerProcess server(custom_server());
  Transcript t(server);
  EXPECT_TRUE(t.run({
      {"METHODS counter", "*[$COUNTER.GET, $COUNTER.INCR, $COUNTER.WAIT]"},
      {"COUNTER.INCR hits", ":1"},  // a write creates it, as for the built-ins
      {"COUNTER.INCR hits 41", ":42"},
      {"COUNTER.GET hits", ":42"},
      {"TYPE hits", "+counter"},
      {"COUNTER.GET nosuch", "-NOTFOUND"},
      {"COUNTER.INCR hits x", "-VALUEERROR"},
      {"COUNTER.INCR hits 1 2", "-ERR"},
      {"COUNTER.GET", "-ERR"},
      {"CREATE counter c START 10", "+OK"},
      {"CREATE counter c START 10 EXISTOK", "+OK"},
      {"CREATE counter c START 0 EXISTOK", "-EXISTS"},
      {"CREATE counter d START 0", "+OK"},
      {"CREATE counter d EXISTOK", "+OK"},  // START 0 is the default
      {"CREATE counter bad BOGUS", "-ERR"},
      {"COUNTER.INCR c -3", ":7", 1},
      {"DESCRIBE c", "*[$name, $c, $type, $counter, $size, :1, ..."},
      {"HELLO 3", "%..."},
      {"DESCRIBE c", "%{$name: $c, $type: $counter, $size: :1, ..."},
      {"DICT.SET c k v", "-WRONGTYPE"},
      {"COUNTER.GET scores", "-NOTFOUND"},
      {"DICT.SET scores alice 3", ":1"},  // the built-ins are all there
      {"COUNTER.INCR scores", "-WRONGTYPE"},
      // waiting works as for the built-in types
      {"COUNTER.WAIT c 9 TIMEOUT 0", ":0"},
      {"COUNTER.WAIT c 9 TIMEOUT 0.05", ":0"},
      {"COUNTER.WAIT c 9", "blocks", 1},
      {"COUNTER.WAIT c 8 TIMEOUT 30", "blocks", 2},
      {"COUNTER.INCR c", ":8"},
      {"", ":1", 2},
      {"?blocked_clients", ":1"},
      {"COUNTER.INCR c", ":9"},
      {"", ":1", 1},
      {"COUNTER.WAIT c 100", "blocks", 1},
      {"DEL c", ":1"},
      {"", "-NOTFOUND", 1},
      {"CREATE counter *", "$=anon"},
      {"COUNTER.INCR {anon} 5", ":5", 1},
      {"close", "", 0},
      {"EXISTS {anon}", ":0", 1},
  })) << server.log();
}

TEST(CustomType, DescribeReportsTheTypesOwnFields) {
  ServerProcess server(custom_server());
  auto c = RawClient::tcp(server.tcp_port());
  ASSERT_EQ(c.call({"CREATE", "counter", "c", "START", "5"}).str, "OK");
  ASSERT_EQ(c.call({"COUNTER.INCR", "c", "2"}).integer, 7);
  Reply r = c.call({"DESCRIBE", "c"});
  ASSERT_EQ(r.type, Reply::Type::array) << show(r);
  std::map<std::string, std::string> fields;
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    fields[r.elements[i].str] = show(r.elements[i + 1]);
  }
  EXPECT_EQ(fields["type"], "$counter");
  EXPECT_EQ(fields["refs"], ":0");
  EXPECT_EQ(fields["waiters"], ":0");
  EXPECT_EQ(fields["start"], ":5");
  EXPECT_EQ(fields["value"], ":7");
}

}  // namespace
}  // namespace procshare::test

#pragma once
// A transcript runner for end-to-end tests: a table of {command, expected
// reply} rows replayed against a real server over real sockets, so a test
// reads like a terminal session. Expected replies are written compactly:
//
//   ":1"  "$hello"  "+OK"  "_" (null)  "#t" "#f"  ",1.5" (RESP3 double)
//   "*[$a, :1]" (array)  "%{$k: $v}" (map)  "~[$a]" (set)
//   "-KEYERROR"          an error; only its code is compared
//   "-ERR wrong ..."     an error with its text; "..." ends a prefix match
//   "*[$a, ..."          any reply may end in "..." to match a prefix
//   "blocks"             the command parks: no reply, the server counts one
//                        more blocked client (read its reply later with "")
//   "$=name"             a bulk reply, remembered as {name} for later rows
//
// Special commands: "" reads the reply still due on that connection; "close"
// closes the connection and waits until the server has let it go; "?field"
// reads an integer field of INFO (":1") on a side connection, to look at
// state no command of the row's connection may disturb. {name} in a command
// or expectation is replaced by a remembered value.
//
// Every row names the connection it runs on (0 by default); connections open
// on first use, alternating between the Unix socket and TCP. After every error
// reply the same connection must still answer PING: errors never close it.
#include <map>
#include <string>
#include <vector>

#include "support/server_process.hpp"

namespace procshare::test {

struct Step {
  std::string cmd;
  std::string expect;
  int conn = 0;
};

// Splits a command line into words as an inline command is split
// (double-quoted words understand \" \\ \n \xHH ...).
std::vector<std::string> split_command(const std::string& line);
// Renders a reply in the compact notation above (errors in full).
std::string show(const Reply& r);
// Whether `r` matches the expectation `expect` (not "blocks" / "$=name").
bool reply_matches(const Reply& r, const std::string& expect);

class Transcript {
 public:
  // `tcp_first`: connection 0 uses TCP (then Unix, TCP, ...); else Unix first.
  Transcript(ServerProcess& server, bool tcp_first = false);

  // Runs the rows in order; reports each mismatch as a gtest failure naming
  // the row. Returns false if any row failed.
  bool run(const std::vector<Step>& steps);
  RawClient& conn(int i);
  RawClient& admin() { return admin_; }
  const std::string& var(const std::string& name) { return vars_[name]; }

 private:
  bool step(std::size_t row, const Step& s);
  std::string expand(const std::string& text) const;
  ServerProcess& server_;
  bool tcp_first_;
  RawClient admin_;  // INFO for the observable state; never in a row
  std::map<int, RawClient> conns_;
  std::map<std::string, std::string> vars_;
};

}  // namespace procshare::test

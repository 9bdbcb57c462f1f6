#pragma once
// Test support for procshare-cli: run the real binary with arguments and
// stdin and collect what it printed, or drive it through a pseudo-terminal as
// a person would. Every wait has a deadline.
#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace procshare::test {

struct CliResult {
  int status = -1;  // exit status, or -signal
  std::string out;
  std::string err;
};

// Environment for the child: PROCSHARE_AUTHKEY is removed and HOME points to
// a private directory unless `env` sets them ("" value = unset).
using CliEnv = std::map<std::string, std::string>;

// The HOME given to every procshare-cli child (where ~/.procshare_history goes).
const std::string& cli_home();

// Runs procshare-cli with `args`, feeding `input` on stdin (a pipe, so not a
// terminal) and capturing stdout and stderr (pipes too).
CliResult run_cli(const std::vector<std::string>& args, std::string_view input = {},
                  const CliEnv& env = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

// procshare-cli on a pseudo-terminal (forkpty): its stdin and stdout are a TTY.
class CliTerminal {
 public:
  CliTerminal(const std::vector<std::string>& args, const CliEnv& env = {});
  ~CliTerminal();
  CliTerminal(const CliTerminal&) = delete;
  CliTerminal& operator=(const CliTerminal&) = delete;

  void type(std::string_view keys);
  // Reads until `needle` appears in the output received since the last
  // expect(); returns false on timeout. The text read so far is in seen().
  bool expect(std::string_view needle,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  const std::string& seen() const { return seen_; }
  // Waits for the process to exit; returns its status (or -999 on timeout).
  int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string seen_;      // everything since the last successful expect()
  std::size_t skip_ = 0;  // seen_ before this offset was already matched
  int status_ = -999;
};

}  // namespace procshare::test

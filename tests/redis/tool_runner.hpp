#pragma once
// Runs an external program (redis-cli, redis-benchmark, python3, the hiredis
// client) with a hard deadline, feeding it stdin and collecting its stdout and
// stderr together. A program that overruns its deadline is killed and the
// result says so: no test can hang on a tool.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace procshare::test {

struct ToolResult {
  int exit_code = -1;  // or -signal
  bool timed_out = false;
  std::string output;            // stdout and stderr, interleaved as written
  std::string describe() const;  // for failure messages
};

// argv[0] is looked up in PATH. `unset_env` names variables removed in the
// child (PYTHONPATH, ...).
ToolResult run_tool(const std::vector<std::string>& argv, const std::string& input = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(60),
                    const std::vector<std::string>& unset_env = {});

// The full path of `program` if it can be run (an absolute path, or found in
// PATH); nullopt otherwise.
std::optional<std::string> find_program(const std::string& program);

}  // namespace procshare::test

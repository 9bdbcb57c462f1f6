#pragma once
// What procshare-bench learns about the server under test: which dialect it
// speaks and its process id (from INFO server), and how much CPU time that
// process has used, read from /proc. CPU per request is the fair figure when
// the load generator shares the machine: req/s alone measures the generator
// as much as the server.
#include <cstdint>
#include <optional>
#include <string>

#include "procshare/connection.hpp"
#include "workload.hpp"

namespace procshare::bench {

struct ServerInfo {
  Dialect dialect = Dialect::procshare;
  long pid = 0;  // 0 when INFO did not say
  std::string version;
};

// Sends INFO server; a server that reports procshare_version speaks procshare.
ServerInfo probe_server(Connection& conn);

// CPU time (user + system, all threads) the process has used, in ns, or
// nullopt when /proc does not show it (another machine, another user): utime
// + stime of /proc/PID/stat. Their unit is the clock tick (10 ms here, and
// /proc/PID/schedstat reads 0 on this kernel), so a run should last seconds.
std::optional<std::uint64_t> process_cpu_ns(long pid);

}  // namespace procshare::bench

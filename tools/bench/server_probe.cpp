#include "server_probe.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace procshare::bench {

namespace {

std::string info_field(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, name.size() + 1, name + ":") != 0) continue;
    std::string v = line.substr(name.size() + 1);
    while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
    return v;
  }
  return {};
}

std::optional<std::uint64_t> stat_ns(long pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(f, text)) return std::nullopt;
  // The command name (field 2) may hold spaces: count fields after its ')'.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream in(text.substr(close + 2));
  std::string field;
  std::uint64_t utime = 0, stime = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const long hz = ::sysconf(_SC_CLK_TCK);
  return (utime + stime) * (1000000000ull / static_cast<std::uint64_t>(hz > 0 ? hz : 100));
}

}  // namespace

ServerInfo probe_server(Connection& conn) {
  ServerInfo info;
  protocol::Reply r = conn.call({"INFO", "server"});
  if (r.is_error()) return info;
  const std::string procshare_version = info_field(r.str, "procshare_version");
  if (!procshare_version.empty()) {
    info.dialect = Dialect::procshare;
    info.version = procshare_version;
  } else {
    info.dialect = Dialect::redis;
    info.version = info_field(r.str, "redis_version");
  }
  const std::string pid = info_field(r.str, "process_id");
  if (!pid.empty()) info.pid = std::stol(pid);
  return info;
}

std::optional<std::uint64_t> process_cpu_ns(long pid) {
  if (pid <= 0) return std::nullopt;
  return stat_ns(pid);
}

}  // namespace procshare::bench

// procshare-check-log: verifies procshare's append-only log files (as
// redis-check-aof does Redis's) and, with --fix, cuts a damaged file at its
// last good record. Given the directory (or its manifest), it checks every
// file the manifest names; given a file, that file.
//
// Exit status: 0 all good (or fixed), 1 damaged, 2 usage or I/O error.
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "procshare/server/log_format.hpp"

namespace logfmt = procshare::server::logfmt;

namespace {

constexpr const char* kUsage = R"(Usage: procshare-check-log [--fix] PATH

PATH is a log file (procshare.<n>.incr.log, procshare.<n>.base.log) or the
--dir directory of a server, whose procshare.manifest names its files.

Checks every record's checksums and framing, and says where the first damage
is. A torn tail (the last record cut short by a crash) is what the server
itself cuts off at start-up; damage elsewhere stops the server from starting.

  --fix   truncate each damaged file at its last good record (everything from
          the damage on is lost); asks no questions
  --help  this text
)";

bool read_all(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

// The files a manifest names, in replay order.
bool manifest_files(const std::string& dir, std::vector<std::string>& files) {
  std::ifstream f(dir + "/procshare.manifest");
  if (!f) return false;
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("base ", 0) == 0 || line.rfind("incr ", 0) == 0) {
      files.push_back(dir + "/" + line.substr(5));
    }
  }
  return true;
}

// 0 good, 1 damaged (and not fixed), 2 I/O error.
int check(const std::string& path, bool fix) {
  std::string data;
  if (!read_all(path, data)) {
    fmt::print(stderr, "{}: cannot read\n", path);
    return 2;
  }
  logfmt::Verdict v = logfmt::verify(data);
  if (v.status == logfmt::Status::end) {
    fmt::print("{}: OK, {} records, {} bytes\n", path, v.records, data.size());
    return 0;
  }
  const char* what = v.status == logfmt::Status::torn ? "torn tail" : "damaged";
  fmt::print("{}: {} at offset {} ({}); {} good records before it, {} bytes after it\n", path, what,
             v.good_bytes, v.error, v.records, data.size() - v.good_bytes);
  if (!fix) return 1;
  if (::truncate(path.c_str(), static_cast<off_t>(v.good_bytes)) != 0) {
    fmt::print(stderr, "{}: cannot truncate: {}\n", path, std::strerror(errno));
    return 2;
  }
  fmt::print("{}: cut at offset {} ({} bytes removed)\n", path, v.good_bytes,
             data.size() - v.good_bytes);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool fix = false;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--fix") {
      fix = true;
    } else if (a == "--help" || a == "-h") {
      fmt::print("{}", kUsage);
      return 0;
    } else if (path.empty() && !a.starts_with("-")) {
      path = a;
    } else {
      fmt::print(stderr, "procshare-check-log: unexpected '{}'\n{}", a, kUsage);
      return 2;
    }
  }
  if (path.empty()) {
    fmt::print(stderr, "{}", kUsage);
    return 2;
  }
  std::vector<std::string> files;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    fmt::print(stderr, "procshare-check-log: {}: {}\n", path, std::strerror(errno));
    return 2;
  }
  if (S_ISDIR(st.st_mode)) {
    if (!manifest_files(path, files)) {
      fmt::print(stderr, "procshare-check-log: {} has no procshare.manifest\n", path);
      return 2;
    }
  } else if (path.ends_with("procshare.manifest")) {
    manifest_files(path.substr(0, path.size() - std::string("/procshare.manifest").size()), files);
  } else {
    files.push_back(path);
  }
  int worst = 0;
  for (const auto& f : files) worst = std::max(worst, check(f, fix));
  return worst;
}

#include "procshare/server/log.hpp"

#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace procshare::server::log {

namespace {
Level g_level = Level::notice;
}

void set_level(Level level) {
  g_level = level;
}
bool enabled(Level level) {
  return level >= g_level;
}

bool parse_level(std::string_view text, Level* out) {
  if (text == "debug")
    *out = Level::debug;
  else if (text == "verbose")
    *out = Level::verbose;
  else if (text == "notice")
    *out = Level::notice;
  else if (text == "warning")
    *out = Level::warning;
  else
    return false;
  return true;
}

void write(Level level, std::string_view text) {
  static constexpr char marks[] = {'.', '-', '*', '#'};
  timeval tv{};
  gettimeofday(&tv, nullptr);
  tm local{};
  localtime_r(&tv.tv_sec, &local);
  char when[64];
  std::strftime(when, sizeof when, "%d %b %Y %H:%M:%S", &local);
  std::string line =
      fmt::format("{}:M {}.{:03d} {} {}\n", getpid(), when, static_cast<int>(tv.tv_usec / 1000),
                  marks[static_cast<int>(level)], text);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace procshare::server::log

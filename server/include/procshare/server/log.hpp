#pragma once
// Log lines with a level on stderr: "<pid>:M 25 Nov 2026 10:00:00.123 * text",
// the shape Redis uses, so the same eyes and tools read both.
#include <fmt/format.h>

#include <string_view>

namespace procshare::server::log {

enum class Level { debug = 0, verbose = 1, notice = 2, warning = 3 };

void set_level(Level level);
bool parse_level(std::string_view text, Level* out);
bool enabled(Level level);
void write(Level level, std::string_view text);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::debug)) write(Level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void verbose(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::verbose)) write(Level::verbose, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void notice(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::notice)) write(Level::notice, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warning(fmt::format_string<Args...> f, Args&&... args) {
  if (enabled(Level::warning)) write(Level::warning, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace procshare::server::log

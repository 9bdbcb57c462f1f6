#pragma once
// The text of one `top` frame, from a snapshot. Pure: no terminal codes here
// (top.cpp adds them), so `top --once` and tests read exactly these lines.
#include <cstddef>
#include <string>
#include <vector>

#include "top_snapshot.hpp"

namespace procshare::cli {

struct TopView {
  std::string address;     // shown in the header
  std::size_t width = 0;   // cut lines to this many columns; 0 = no limit
  std::size_t height = 0;  // at most this many lines; 0 = no limit
  std::string notice;      // an extra header line (a lost connection, ...)
};

std::vector<std::string> render_top(const Snapshot& snap, const OpsRate& ops, const TopView& view);

// "4.2s", "3m05s", "2h03m", "3d04h".
std::string format_duration(double seconds);
// "512 B", "1.2 KiB", "3.4 MiB".
std::string format_bytes(double bytes);

}  // namespace procshare::cli

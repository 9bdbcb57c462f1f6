#pragma once
// `procshare-cli top`: a live view of the server, refreshed every interval,
// for the moment a program is stuck and you want to see why.
#include "cli_client.hpp"
#include "cli_options.hpp"

namespace procshare::cli {

// --once prints one frame (plain text) and exits. Otherwise, on a terminal,
// redraws in the alternate screen until q or Ctrl-C; into a pipe, appends a
// frame per interval (like top -b). Returns the exit status.
int run_top(CliClient& client, const CliOptions& options);

}  // namespace procshare::cli

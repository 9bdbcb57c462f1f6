#pragma once
// The interactive prompt: libedit (BSD editline, through its readline
// interface) gives line editing, a history file and tab completion.
#include "cli_client.hpp"
#include "reply_format.hpp"

namespace procshare::cli {

// Runs the prompt until EOF (Ctrl-D), `quit` or `exit`. Returns the exit
// status (2 if the server cannot be reached at start).
int run_interactive(CliClient& client, OutputMode mode);

}  // namespace procshare::cli

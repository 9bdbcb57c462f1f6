#pragma once
// Command-line options of procshare-cli. Parsing is pure (no I/O): it returns
// the options or a usage error, and main() decides what to print.
//
//   procshare-cli [OPTIONS] [COMMAND [ARG ...]]
//   procshare-cli [OPTIONS] top [--once] [--interval SECONDS]
//
// Options end at the first word that is not an option (or after `--`), so
// that a command's own arguments may start with a dash.
#include <optional>
#include <string>
#include <vector>

#include "reply_format.hpp"

namespace procshare::cli {

enum class Mode { command, top, interactive_or_script, help, version };

struct CliOptions {
  Mode mode = Mode::interactive_or_script;
  std::string address;  // as typed: -a, or built from -s / -h -p; empty = default
  std::optional<std::string> authkey_file;
  bool resp3 = false;
  bool resp2 = false;                // -2: explicitly RESP2 (--json implies RESP3 otherwise)
  std::optional<OutputMode> output;  // --raw / --no-raw / --json; unset = by stdout
  double connect_timeout_s = 5;
  // TLS, spelled as redis-cli spells it: --tls --cacert --cacertdir --cert --key --sni --insecure.
  bool tls = false;
  std::string cacert, cacertdir, cert, key, sni;
  bool insecure = false;
  std::vector<std::string> command;  // Mode::command: the words to send
  bool once = false;                 // top --once
  double interval_s = 1;             // top --interval
};

struct ParseOutcome {
  std::optional<CliOptions> options;
  std::string error;  // set when options is empty: one line for stderr
};

ParseOutcome parse_cli_options(const std::vector<std::string>& argv);

// The --help text.
std::string usage_text();

}  // namespace procshare::cli

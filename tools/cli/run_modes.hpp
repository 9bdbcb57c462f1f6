#pragma once
// The non-interactive ways of running procshare-cli: one command from the
// command line, or a script of commands read from stdin. Both return the
// process exit status: 0 success, 1 an error reply, 2 a usage, connection or
// authentication failure (reported as one line on stderr).
#include <string>
#include <string_view>
#include <vector>

#include "cli_client.hpp"
#include "reply_format.hpp"

namespace procshare::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitErrorReply = 1;
inline constexpr int kExitFailure = 2;

bool equals_ignore_case(std::string_view a, std::string_view b);

// Splits a typed line into words with Redis's quoting rules (the protocol's
// split_inline_args). *ok is false on unbalanced quotes.
std::vector<std::string> split_command_line(std::string_view line, bool* ok);

// Prints "procshare-cli: <line>" on stderr.
void complain(const std::string& line);

// The text to print for the reply to `args` (INFO and CLIENT LIST text is
// printed as it is on a terminal, as redis-cli does).
std::string render_reply(const protocol::Reply& reply, OutputMode mode,
                         const std::vector<std::string>& args);
// Writes bytes to stdout as they are (binary safe) and flushes.
void write_stdout(const std::string& bytes);

// One-shot: `args` sent as bulk strings; a "-" argument is replaced by stdin.
int run_command(CliClient& client, std::vector<std::string> args, OutputMode mode);

// stdin has one command per line (inline syntax, as typed at the prompt);
// blank lines and lines starting with '#' are skipped. Every reply is printed;
// the status is 1 if any reply was an error or a line could not be split.
int run_script(CliClient& client, OutputMode mode);

}  // namespace procshare::cli

// One-shot and scripted runs. Scripts are executed one command at a time
// (not pipelined) so that a blocking command in a script behaves as it does
// when typed; a lost connection stops the script at the line it happened on.
#include "run_modes.hpp"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <iostream>

#include "procshare/protocol/request_parser.hpp"

namespace procshare::cli {

namespace {

bool read_all_stdin(std::string* out) {
  char buf[65536];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    out->append(buf, static_cast<std::size_t>(n));
  }
}

bool is_blank_or_comment(std::string_view line) {
  std::size_t i = line.find_first_not_of(" \t\r");
  return i == std::string_view::npos || line[i] == '#';
}

}  // namespace

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> split_command_line(std::string_view line, bool* ok) {
  std::string storage;
  std::vector<std::size_t> ends;
  std::vector<std::string> args;
  *ok = protocol::split_inline_args(line, storage, ends);
  if (!*ok) return args;
  std::size_t start = 0;
  for (std::size_t end : ends) {
    args.emplace_back(storage.substr(start, end - start));
    start = end;
  }
  return args;
}

void complain(const std::string& line) {
  std::fflush(stdout);
  std::fprintf(stderr, "procshare-cli: %s\n", line.c_str());
}

std::string render_reply(const protocol::Reply& reply, OutputMode mode,
                         const std::vector<std::string>& args) {
  const bool text =
      reply.type == protocol::Reply::Type::bulk || reply.type == protocol::Reply::Type::verbatim;
  if (mode == OutputMode::tty && text && !args.empty() &&
      prints_text_raw(args[0], args.size() > 1 ? args[1] : "")) {
    std::string out = reply.str;
    if (out.empty() || out.back() != '\n') out += '\n';
    return out;
  }
  return format_reply(reply, mode);
}

void write_stdout(const std::string& bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  std::fflush(stdout);
}

int run_command(CliClient& client, std::vector<std::string> args, OutputMode mode) {
  int dashes = 0;
  for (const std::string& a : args) dashes += a == "-";
  if (dashes > 1) {
    complain("only one argument can be '-' (read from stdin)");
    return kExitFailure;
  }
  if (dashes == 1) {
    std::string value;
    if (!read_all_stdin(&value)) {
      complain("cannot read the value of '-' from stdin");
      return kExitFailure;
    }
    for (std::string& a : args) {
      if (a == "-") a = std::move(value);
    }
  }
  protocol::Reply reply;
  try {
    reply = client.call(args);
  } catch (const std::exception& e) {
    complain(failure_line(e, client.address()));
    return kExitFailure;
  }
  write_stdout(render_reply(reply, mode, args));
  return reply.is_error() ? kExitErrorReply : kExitOk;
}

int run_script(CliClient& client, OutputMode mode) {
  // Connect before reading anything so an unreachable server is one clear line.
  try {
    client.connect();
  } catch (const std::exception& e) {
    complain(failure_line(e, client.address()));
    return kExitFailure;
  }
  int status = kExitOk;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (is_blank_or_comment(line)) continue;
    bool ok = false;
    std::vector<std::string> args = split_command_line(line, &ok);
    if (!ok) {
      complain("line " + std::to_string(line_no) + ": unbalanced quotes");
      status = kExitErrorReply;
      continue;
    }
    if (args.empty()) continue;
    try {
      protocol::Reply reply = client.call(args);
      write_stdout(render_reply(reply, mode, args));
      if (reply.is_error()) status = kExitErrorReply;
      if (equals_ignore_case(args[0], "QUIT") && !reply.is_error())
        break;  // the server closes after QUIT
    } catch (const std::exception& e) {
      complain("line " + std::to_string(line_no) + ": " + failure_line(e, client.address()));
      return kExitFailure;
    }
  }
  return status;
}

}  // namespace procshare::cli

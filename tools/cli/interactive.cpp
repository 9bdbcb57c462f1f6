// The interactive prompt.
//
// Line editing, history and completion are libedit's: its readline interface
// calls back into complete() on Tab with the line typed so far, and we answer
// from the command catalog (COMMAND DOCS, fetched once at start), the list of
// type names, or the server's OBJECTS for object names.
//
// History goes to $PROCSHARE_HISTFILE, else ~/.procshare_history, written
// after every line (mode 0600: values typed may be secrets) so that a killed
// session keeps it. Lines that carry a password (AUTH, HELLO ... AUTH) are
// not recorded, as redis-cli does.
//
// libedit's completion API is C with global state, hence the few file-level
// globals below; there is one prompt per process.
#include "interactive.hpp"

#include <editline/readline.h>
#include <sys/stat.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "command_catalog.hpp"
#include "run_modes.hpp"

namespace procshare::cli {

namespace {

CliClient* g_client = nullptr;
CommandCatalog g_catalog;
std::vector<std::string> g_matches;
std::size_t g_next_match = 0;

char* next_match(const char* /*text*/, int state) {
  if (state == 0) g_next_match = 0;
  if (g_next_match >= g_matches.size()) return nullptr;
  return strdup(g_matches[g_next_match++].c_str());  // libedit frees it
}

std::vector<std::string> object_names(std::string_view prefix) {
  std::vector<std::string> names;
  if (!g_client || !g_client->connected()) return names;
  try {
    protocol::Reply r = g_client->call({"OBJECTS", glob_for_prefix(prefix)});
    for (const protocol::Reply& e : r.elements) {
      // A name with blanks or quotes would need quoting on the line: not offered.
      if (e.str.find_first_of(" \t\"'") == std::string::npos) names.push_back(e.str);
    }
  } catch (const std::exception&) {
    // No completion beats an error in the middle of the line being typed.
  }
  return names;
}

char** complete(const char* text, int /*start*/, int /*end*/) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  const std::string_view before(rl_line_buffer, static_cast<std::size_t>(rl_point));
  const CompletionRequest req = completion_request(g_catalog, before);
  switch (req.kind) {
    case CompletionRequest::Kind::command:
      g_matches = complete_words(command_names(g_catalog), text);
      break;
    case CompletionRequest::Kind::type:
      g_matches = complete_words(type_names(), text);
      break;
    case CompletionRequest::Kind::object:
      g_matches = object_names(text);
      break;
    case CompletionRequest::Kind::none:
      g_matches.clear();
      break;
  }
  if (g_matches.empty()) return nullptr;
  return rl_completion_matches(text, next_match);
}

std::string history_path() {
  if (const char* p = std::getenv("PROCSHARE_HISTFILE"); p && *p) return p;
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.procshare_history";
  }
  return {};
}

bool carries_password(const std::vector<std::string>& args) {
  if (args.empty()) return false;
  if (equals_ignore_case(args[0], "AUTH") || equals_ignore_case(args[0], "AUTH.PROVE")) return true;
  if (!equals_ignore_case(args[0], "HELLO")) return false;
  for (const std::string& a : args) {
    if (equals_ignore_case(a, "AUTH")) return true;
  }
  return false;
}

void remember(const char* line, const std::vector<std::string>& args, const std::string& path) {
  if (carries_password(args)) return;
  add_history(line);
  if (path.empty()) return;
  write_history(path.c_str());
  ::chmod(path.c_str(), 0600);
}

// Fetches COMMAND DOCS into the catalog. Returns the error code if the
// server refused ("NOAUTH"), else "".
std::string load_catalog(CliClient& client) {
  try {
    protocol::Reply docs = client.call({"COMMAND", "DOCS"});
    if (docs.is_error()) return std::string(docs.error_code());
    g_catalog = CommandCatalog::from_docs(docs);
  } catch (const std::exception&) {
    // Completion of command names is lost for now; the prompt still works.
  }
  return {};
}

void print_help(const std::vector<std::string>& args) {
  if (args.size() < 2) {
    write_stdout(
        "procshare-cli: type a command and its arguments, as with redis-cli.\n"
        "  Tab completes command names, type names after CREATE, object names.\n"
        "  help COMMAND   arguments and summary of a command\n"
        "  quit, exit     leave (or Ctrl-D)\n"
        "  clear          clear the screen\n"
        "Every command: COMMAND DOCS. Types: METHODS TYPE.\n");
    return;
  }
  const CommandDoc* doc = g_catalog.find(args[1]);
  write_stdout(doc ? command_help(*doc) + "\n" : "unknown command '" + args[1] + "'\n");
}

}  // namespace

int run_interactive(CliClient& client, OutputMode mode) {
  try {
    client.connect();
  } catch (const std::exception& e) {
    complain(failure_line(e, client.address()));
    return kExitFailure;
  }
  if (load_catalog(client) == "NOAUTH") {
    write_stdout(
        "(this server wants an authkey: --authkey-file FILE or PROCSHARE_AUTHKEY; or type AUTH "
        "key)\n");
  }
  g_client = &client;

  rl_readline_name = "procshare-cli";  // for $if procshare-cli in ~/.editrc
  rl_attempted_completion_function = complete;
  // Words are split on blanks only: '.' and ':' are parts of names.
  static char breaks[] = " \t";
  rl_basic_word_break_characters = breaks;
  using_history();
  stifle_history(1000);
  const std::string hist = history_path();
  if (!hist.empty()) read_history(hist.c_str());
  const std::string prompt = "procshare " + client.address().to_string() + "> ";

  while (char* raw = readline(prompt.c_str())) {
    std::string line(raw);
    bool ok = false;
    std::vector<std::string> args = split_command_line(line, &ok);
    if (!ok) {
      std::free(raw);
      write_stdout("Invalid argument(s): unbalanced quotes\n");
      continue;
    }
    if (args.empty()) {
      std::free(raw);
      continue;
    }
    remember(raw, args, hist);
    std::free(raw);
    if (equals_ignore_case(args[0], "quit") || equals_ignore_case(args[0], "exit")) break;
    if (equals_ignore_case(args[0], "help")) {
      print_help(args);
      continue;
    }
    if (equals_ignore_case(args[0], "clear")) {
      write_stdout("\x1b[H\x1b[2J");
      continue;
    }
    try {
      protocol::Reply reply = client.call(args);
      write_stdout(render_reply(reply, mode, args));
      // Refused before an AUTH (or lost with the connection): try again now.
      if (g_catalog.empty() && !reply.is_error()) load_catalog(client);
    } catch (const std::exception& e) {
      // The connection is closed; the next command reconnects.
      complain(failure_line(e, client.address()));
    }
  }
  g_client = nullptr;
  return kExitOk;
}

}  // namespace procshare::cli

#pragma once
// What procshare-cli knows about the server's commands, learnt at start-up
// from `COMMAND DOCS` (a map name -> {summary, since, group, arguments}), and
// the completion rules built on it. Pure: the caller fetches the reply.
#include <string>
#include <string_view>
#include <vector>

#include "procshare/protocol/reply.hpp"

namespace procshare::cli {

struct CommandDoc {
  std::string name;  // upper case, as the server registers it ("DICT.SET")
  std::string summary;
  std::string group;                   // the object type, or "server"
  std::vector<std::string> arguments;  // argument names as documented ("[TIMEOUT", "s", ...)
};

// The object types of PROTOCOL.md §5, offered after CREATE and METHODS.
extern const std::vector<std::string_view> kTypeNames;

class CommandCatalog {
 public:
  CommandCatalog() = default;
  // From a COMMAND DOCS reply: a RESP3 map or RESP2's flat array of pairs.
  // Anything it cannot read is skipped.
  static CommandCatalog from_docs(const protocol::Reply& docs);

  const std::vector<CommandDoc>& commands() const { return commands_; }  // sorted by name
  const CommandDoc* find(std::string_view name) const;                   // case-insensitive
  bool empty() const { return commands_.empty(); }

 private:
  std::vector<CommandDoc> commands_;
};

// What to complete at the end of `line` (the text before the cursor).
struct CompletionRequest {
  enum class Kind { none, command, type, object };
  Kind kind = Kind::none;
  std::string prefix;  // the partial word being completed
};
CompletionRequest completion_request(const CommandCatalog& catalog, std::string_view line);

// The candidates for a command-name or type-name completion of `prefix`,
// matched case-insensitively and written in the case the user is typing
// (lower case if the prefix has lower-case letters and no upper-case ones).
std::vector<std::string> complete_words(const std::vector<std::string>& words,
                                        std::string_view prefix);
std::vector<std::string> command_names(const CommandCatalog& catalog);
std::vector<std::string> type_names();

// A glob (OBJECTS syntax) matching the names that start with `prefix`.
std::string glob_for_prefix(std::string_view prefix);

// One-line usage of a command for `help NAME`: "DICT.SET d k v — summary".
std::string command_help(const CommandDoc& doc);

}  // namespace procshare::cli

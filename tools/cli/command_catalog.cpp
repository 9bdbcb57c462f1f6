// COMMAND DOCS parsing and the completion rules of the interactive prompt:
// word 0 completes command names, the word after CREATE or METHODS a type
// name, and the word naming an object (the first argument of a type's
// command, of DESCRIBE, TYPE, ...; any argument of DEL and EXISTS) the names
// of existing objects.
#include "command_catalog.hpp"

#include <algorithm>
#include <cctype>

namespace procshare::cli {

using protocol::Reply;

const std::vector<std::string_view> kTypeNames = {
    "dict",      "list",          "set",    "namespace", "value",     "array",
    "queue",     "joinablequeue", "lock",   "rlock",     "semaphore", "boundedsemaphore",
    "condition", "event",         "barrier"};

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_string(const Reply& r) {
  return r.type == Reply::Type::bulk || r.type == Reply::Type::simple ||
         r.type == Reply::Type::verbatim;
}

// Both a RESP3 map and RESP2's flat key/value array hold pairs in elements.
bool is_pairs(const Reply& r) {
  return (r.type == Reply::Type::map || r.type == Reply::Type::array) && r.elements.size() % 2 == 0;
}

const Reply* field(const Reply& pairs, std::string_view key) {
  if (!is_pairs(pairs)) return nullptr;
  for (std::size_t i = 0; i + 1 < pairs.elements.size(); i += 2) {
    if (is_string(pairs.elements[i]) && pairs.elements[i].str == key) return &pairs.elements[i + 1];
  }
  return nullptr;
}

CommandDoc read_doc(std::string_view name, const Reply& body) {
  CommandDoc doc;
  doc.name = upper(name);
  if (const Reply* s = field(body, "summary"); s && is_string(*s)) doc.summary = s->str;
  if (const Reply* g = field(body, "group"); g && is_string(*g)) doc.group = g->str;
  if (const Reply* args = field(body, "arguments")) {
    for (const Reply& a : args->elements) {
      if (const Reply* n = field(a, "name"); n && is_string(*n)) doc.arguments.push_back(n->str);
    }
  }
  return doc;
}

// Splits on blanks; the last element is the word under the cursor (possibly empty).
std::vector<std::string_view> words_before_cursor(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    words.push_back(line.substr(start, i - start));
    if (i >= line.size()) break;
  }
  return words;
}

bool names_objects_everywhere(std::string_view cmd) {
  return cmd == "DEL" || cmd == "EXISTS";
}

bool names_object_first(const CommandCatalog& catalog, std::string_view cmd) {
  if (cmd == "TYPE" || cmd == "DESCRIBE" || cmd == "REF.INC" || cmd == "REF.DEC") return true;
  const CommandDoc* doc = catalog.find(cmd);
  // A type's own commands (DICT.SET, LOCK.ACQUIRE, ...) name their object first.
  return doc && !doc->group.empty() && doc->group != "server" && cmd.find('.') != cmd.npos;
}

}  // namespace

CommandCatalog CommandCatalog::from_docs(const Reply& docs) {
  CommandCatalog c;
  if (!is_pairs(docs)) return c;
  for (std::size_t i = 0; i + 1 < docs.elements.size(); i += 2) {
    if (!is_string(docs.elements[i])) continue;
    c.commands_.push_back(read_doc(docs.elements[i].str, docs.elements[i + 1]));
  }
  std::sort(c.commands_.begin(), c.commands_.end(),
            [](const CommandDoc& a, const CommandDoc& b) { return a.name < b.name; });
  return c;
}

const CommandDoc* CommandCatalog::find(std::string_view name) const {
  const std::string key = upper(name);
  auto it = std::lower_bound(commands_.begin(), commands_.end(), key,
                             [](const CommandDoc& d, const std::string& k) { return d.name < k; });
  return it != commands_.end() && it->name == key ? &*it : nullptr;
}

CompletionRequest completion_request(const CommandCatalog& catalog, std::string_view line) {
  const auto words = words_before_cursor(line);
  CompletionRequest req;
  req.prefix = std::string(words.back());
  const std::size_t index = words.size() - 1;
  if (index == 0) {
    req.kind = CompletionRequest::Kind::command;
    return req;
  }
  const std::string cmd = upper(words.front());
  if (index == 1 && (cmd == "CREATE" || cmd == "METHODS")) {
    req.kind = CompletionRequest::Kind::type;
  } else if (index == 1 && (cmd == "HELP")) {
    req.kind = CompletionRequest::Kind::command;
  } else if (names_objects_everywhere(cmd) || (index == 1 && names_object_first(catalog, cmd))) {
    req.kind = CompletionRequest::Kind::object;
  }
  return req;
}

std::vector<std::string> complete_words(const std::vector<std::string>& words,
                                        std::string_view prefix) {
  const bool has_upper =
      std::any_of(prefix.begin(), prefix.end(), [](unsigned char c) { return std::isupper(c); });
  const bool has_lower =
      std::any_of(prefix.begin(), prefix.end(), [](unsigned char c) { return std::islower(c); });
  const std::string key = upper(prefix);
  std::vector<std::string> out;
  for (const std::string& w : words) {
    if (w.size() < prefix.size() || upper(w.substr(0, prefix.size())) != key) continue;
    if (has_lower && !has_upper) {
      out.push_back(lower(w));
    } else if (has_upper && !has_lower) {
      out.push_back(upper(w));
    } else {
      out.push_back(w);
    }
  }
  return out;
}

std::vector<std::string> command_names(const CommandCatalog& catalog) {
  std::vector<std::string> names;
  for (const CommandDoc& d : catalog.commands()) names.push_back(d.name);
  return names;
}

std::vector<std::string> type_names() {
  return std::vector<std::string>(kTypeNames.begin(), kTypeNames.end());
}

std::string glob_for_prefix(std::string_view prefix) {
  std::string glob;
  for (char c : prefix) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') glob += '\\';
    glob += c;
  }
  return glob + "*";
}

std::string command_help(const CommandDoc& doc) {
  std::string line = doc.name;
  for (const std::string& a : doc.arguments) line += " " + a;
  if (!doc.summary.empty()) line += "\n  " + doc.summary;
  if (!doc.group.empty()) line += "\n  group: " + doc.group;
  return line;
}

}  // namespace procshare::cli

// The netcat sessions of the documentation are tests: every ```session block
// of docs/objects.md (and of README.md, if it has any) is replayed against a
// real server over its Unix socket, typed as inline commands exactly as a user
// types them into `nc -U /tmp/procshare.sock`, and every reply is compared
// with the document byte for byte, line by line (nc shows RESP2 as it comes).
//
// The block format, one document's blocks replayed in order on one fresh
// server, each block on a new connection (a new `nc`):
//   > COMMAND ...      what the user types
//   :1                 the reply's lines, as nc shows them; a line ending in
//                      "..." matches any line with that prefix, and an error
//                      line ("-KEYERROR ...") only has to match its code
//   (no reply lines)   the command blocks: the test waits until the server
//                      counts one more blocked client
//   ^C                 the user closes this terminal (nc exits)
// A block opened as ```session terminal=N runs on terminal N, which stays open
// from block to block; reply lines before any command in such a block are the
// reply a blocked command of that terminal prints later.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "procshare/protocol/reply.hpp"
#include "support/server_process.hpp"

namespace procshare::test {
namespace {

struct Block {
  int line = 0;  // of the opening fence, for messages
  std::optional<int> terminal;
  std::vector<std::string> lines;
};

std::vector<Block> parse_sessions(const std::string& path) {
  std::ifstream in(path);
  std::vector<Block> blocks;
  std::optional<Block> open;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!open) {
      if (line.rfind("```session", 0) != 0) continue;
      open = Block{n, std::nullopt, {}};
      auto at = line.find("terminal=");
      if (at != std::string::npos) open->terminal = std::stoi(line.substr(at + 9));
    } else if (line.rfind("```", 0) == 0) {
      blocks.push_back(std::move(*open));
      open.reset();
    } else {
      open->lines.push_back(line);
    }
  }
  EXPECT_FALSE(open) << path << ": unterminated session block at line " << open->line;
  return blocks;
}

bool line_matches(const std::string& want, const std::string& got) {
  if (want.size() >= 3 && want.compare(want.size() - 3, 3, "...") == 0) {
    return got.compare(0, want.size() - 3, want, 0, want.size() - 3) == 0;
  }
  if (!want.empty() && want[0] == '-') {
    return got.substr(0, got.find(' ')) == want.substr(0, want.find(' '));
  }
  return want == got;
}

// One terminal: a connection that reads whole raw replies.
class Terminal {
 public:
  explicit Terminal(const std::string& path) : c_(RawClient::unix_socket(path)) {}
  void type(const std::string& line) { c_.send_raw(line + "\n"); }
  // The next complete reply as nc shows it: its lines, without the CR LF.
  std::vector<std::string> read_reply() {
    for (int i = 0; i < 200; ++i) {
      protocol::ReplyParser parser;
      protocol::Reply r;
      std::size_t used = 0;
      if (parser.parse(raw_, &r, &used) == protocol::ReplyStatus::complete) {
        std::string reply = raw_.substr(0, used);
        raw_.erase(0, used);
        std::vector<std::string> lines;
        for (std::size_t from = 0; from < reply.size();) {
          std::size_t end = reply.find("\r\n", from);
          lines.push_back(reply.substr(from, end - from));
          from = end + 2;
        }
        return lines;
      }
      raw_ += c_.read_raw(100ms);
    }
    throw std::runtime_error("no complete reply; got so far: " + raw_);
  }

 private:
  RawClient c_;
  std::string raw_;
};

class DocReplay {
 public:
  DocReplay(const std::string& file) : file_(file), server_(options()) {
    admin_.emplace(RawClient::unix_socket(server_.unix_path()));
  }

  void run(const Block& b) {
    std::optional<Terminal> fresh;
    Terminal* t = nullptr;
    if (b.terminal) {
      auto it = terminals_.find(*b.terminal);
      if (it == terminals_.end()) {
        it = terminals_.emplace(*b.terminal, Terminal(server_.unix_path())).first;
      }
      t = &it->second;
    } else {
      t = &fresh.emplace(server_.unix_path());
    }
    std::size_t i = 0;
    // Reply lines before any command: what a blocked command prints now.
    if (i < b.lines.size() && !is_input(b.lines[i])) expect_reply(*t, b, i, "(earlier command)");
    while (i < b.lines.size()) {
      const std::string& line = b.lines[i];
      if (line == "^C") {
        ASSERT_TRUE(b.terminal) << where(b, i) << "^C outside a terminal block";
        long before = info_field(*admin_, "connected_clients");
        terminals_.erase(*b.terminal);
        ASSERT_TRUE(wait_until([&] { return info_field(*admin_, "connected_clients") < before; }))
            << where(b, i) << "the server did not see the terminal close";
        return;  // nothing more can happen in a closed terminal
      }
      ASSERT_EQ(line.rfind("> ", 0), 0u) << where(b, i) << "expected '> command', got: " << line;
      std::string cmd = line.substr(2);
      std::size_t at = i++;
      if (i == b.lines.size() || is_input(b.lines[i])) {  // no reply: it blocks
        long before = info_field(*admin_, "blocked_clients");
        t->type(cmd);
        ASSERT_TRUE(wait_until([&] { return info_field(*admin_, "blocked_clients") > before; }))
            << where(b, at) << cmd << ": shown without a reply, but it did not block";
        continue;
      }
      t->type(cmd);
      expect_reply(*t, b, i, cmd);
    }
  }

 private:
  static ServerProcess::Options options() {
    ServerProcess::Options o;
    o.tcp = false;
    return o;
  }
  static bool is_input(const std::string& line) { return line.rfind("> ", 0) == 0 || line == "^C"; }
  std::string where(const Block& b, std::size_t i) const {
    return file_ + ":" + std::to_string(b.line + 1 + static_cast<int>(i)) + ": ";
  }
  // Compares the reply lines that start at b.lines[i]; moves i past them.
  void expect_reply(Terminal& t, const Block& b, std::size_t& i, const std::string& cmd) {
    std::size_t first = i;
    std::vector<std::string> want;
    while (i < b.lines.size() && !is_input(b.lines[i])) want.push_back(b.lines[i++]);
    std::vector<std::string> got;
    try {
      got = t.read_reply();
    } catch (const std::exception& e) {
      ADD_FAILURE() << where(b, first) << cmd << ": " << e.what();
      return;
    }
    bool same = want.size() == got.size();
    for (std::size_t k = 0; same && k < want.size(); ++k) same = line_matches(want[k], got[k]);
    if (!same) {
      std::string w, g;
      for (auto& l : want) w += "    " + l + "\n";
      for (auto& l : got) g += "    " + l + "\n";
      ADD_FAILURE() << where(b, first) << cmd << "\n  the document shows:\n"
                    << w << "  the server replied:\n"
                    << g;
    }
  }

  std::string file_;
  ServerProcess server_;
  std::optional<RawClient> admin_;
  std::map<int, Terminal> terminals_;
};

void replay_document(const std::string& relative, bool required) {
  const std::string path = std::string(PROCSHARE_SOURCE_DIR) + "/" + relative;
  if (!required && !std::ifstream(path)) return;
  auto blocks = parse_sessions(path);
  if (required) {
    ASSERT_FALSE(blocks.empty()) << path << " has no ```session blocks";
  }
  if (blocks.empty()) return;
  DocReplay replay(relative);
  for (const auto& b : blocks) {
    replay.run(b);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(DocsExamples, ObjectsGuideSessionsReplayExactly) {
  replay_document("docs/objects.md", true);
}

TEST(DocsExamples, ReadmeSessionsReplayExactly) {
  replay_document("README.md", false);
}

// The format itself: a wrong reply in a document is caught.
TEST(DocsExamples, LineMatching) {
  EXPECT_TRUE(line_matches(":1", ":1"));
  EXPECT_FALSE(line_matches(":1", ":2"));
  EXPECT_TRUE(line_matches("-KEYERROR no such key", "-KEYERROR whatever"));
  EXPECT_FALSE(line_matches("-KEYERROR", "-NOTFOUND no such object"));
  EXPECT_TRUE(line_matches(":...", ":12"));
  EXPECT_TRUE(line_matches("anon:...", "anon:3"));
  EXPECT_FALSE(line_matches("$5", "$6"));
}

}  // namespace
}  // namespace procshare::test

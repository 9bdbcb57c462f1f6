// End-to-end: the real procshare-cli binary against the real server (issue 6).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli_process.hpp"
#include "support/server_process.hpp"

namespace procshare::test {
namespace {

class Cli : public ::testing::Test {
 protected:
  // Runs procshare-cli against the test server.
  CliResult cli(std::vector<std::string> args, std::string_view input = {},
                const CliEnv& env = {}) {
    args.insert(args.begin(), {"-s", server_.unix_path()});
    return run_cli(args, input, env);
  }
  RawClient client() { return RawClient::unix_socket(server_.unix_path()); }

  ServerProcess server_;
};

// One line on stderr, nothing on stdout: what every failure must look like.
void expect_one_line_failure(const CliResult& r, std::string_view mentions) {
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_EQ(r.err.rfind("procshare-cli: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(mentions), std::string::npos) << r.err;
}

std::string write_key_file(const std::string& key) {
  std::string path = temp_path("key");
  std::ofstream(path) << key << "\n";
  ::chmod(path.c_str(), 0600);
  return path;
}

TEST_F(Cli, OneShotRepliesOfEveryType) {
  EXPECT_EQ(cli({"--no-raw", "PING"}).out, "PONG\n");
  EXPECT_EQ(cli({"--no-raw", "DICT.SET", "d", "k", "3"}).out, "(integer) 1\n");
  EXPECT_EQ(cli({"--no-raw", "DICT.GET", "d", "k"}).out, "\"3\"\n");
  EXPECT_EQ(cli({"--no-raw", "ECHO", "a\"b\n\x01"}).out, "\"a\\\"b\\n\\x01\"\n");
  EXPECT_EQ(cli({"--no-raw", "CLIENT", "GETNAME"}).out, "(nil)\n");
  EXPECT_EQ(cli({"--no-raw", "OBJECTS", "nothing*"}).out, "(empty array)\n");
  EXPECT_EQ(cli({"--no-raw", "LIST.EXTEND", "l", "a", "b c"}).out, "(integer) 2\n");
  EXPECT_EQ(cli({"--no-raw", "LIST.RANGE", "l", "0", "2"}).out, "1) \"a\"\n2) \"b c\"\n");
  EXPECT_EQ(cli({"--no-raw", "-3", "DICT.HAS", "d", "k"}).out, "(true)\n");
  EXPECT_EQ(cli({"--no-raw", "-3", "VALUE.INCRBYFLOAT", "f", "1.5"}).out, "(double) 1.5\n");

  CliResult err = cli({"--no-raw", "DICT.GET", "d", "missing"});
  EXPECT_EQ(err.status, 1);
  EXPECT_EQ(err.out.rfind("(error) KEYERROR ", 0), 0u) << err.out;

  // Nested arrays are numbered and indented under their parent.
  CliResult docs = cli({"--no-raw", "COMMAND", "DOCS", "echo"});
  EXPECT_NE(docs.out.find("1) \"echo\"\n2) 1) \"summary\"\n   2) \"Answer"), std::string::npos)
      << docs.out;
  EXPECT_NE(docs.out.find("\n   8) 1) 1) \"name\"\n         2) \"message\"\n"), std::string::npos)
      << docs.out;

  // RESP3 maps as redis-cli prints them.
  CliResult map = cli({"--no-raw", "-3", "DESCRIBE", "d"});
  EXPECT_NE(map.out.find("1# \"name\" => \"d\"\n2# \"type\" => \"dict\"\n"), std::string::npos)
      << map.out;
  EXPECT_NE(map.out.find("\"size\" => (integer) 1\n"), std::string::npos) << map.out;
  EXPECT_NE(map.out.find("\"anonymous\" => (false)\n"), std::string::npos) << map.out;

  // INFO is text to read, printed as it is.
  CliResult info = cli({"--no-raw", "INFO", "clients"});
  EXPECT_NE(info.out.find("# Clients\r\nconnected_clients:"), std::string::npos) << info.out;
}

TEST_F(Cli, ExitCodes) {
  EXPECT_EQ(cli({"PING"}).status, 0);
  EXPECT_EQ(cli({"NO.SUCH.COMMAND"}).status, 1);
  EXPECT_EQ(cli({"LIST.POP", "empty"}).status, 1);
  CliResult usage = run_cli({"--bogus"});
  expect_one_line_failure(usage, "unknown option '--bogus'");
  expect_one_line_failure(run_cli({"-s", "/x", "-h", "localhost", "PING"}), "one of");
  CliResult help = run_cli({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("Usage: procshare-cli"), std::string::npos);
}

TEST_F(Cli, DashReadsTheValueFromStdin) {
  const std::string bytes("bin\0ary\r\n\xff", 10);
  CliResult set = cli({"VALUE.SET", "v", "-"}, bytes);
  EXPECT_EQ(set.status, 0) << set.err;
  EXPECT_EQ(set.out, "OK\n");
  EXPECT_EQ(client().call({"VALUE.GET", "v"}).str, bytes);
  CliResult get = cli({"--raw", "VALUE.GET", "v"});
  EXPECT_EQ(get.out, bytes + "\n");
  // Only the argument that is exactly "-" is replaced.
  EXPECT_EQ(cli({"DICT.SET", "d", "-k-", "-"}, "x").status, 0);
  EXPECT_EQ(client().call({"DICT.GET", "d", "-k-"}).str, "x");
  expect_one_line_failure(cli({"DICT.SET", "d", "-", "-"}, "x"), "only one argument");
}

TEST_F(Cli, RawOutputIsPlainValuesOneALine) {
  client().call({"LIST.EXTEND", "l", "a", "b"});
  EXPECT_EQ(cli({"--raw", "LIST.RANGE", "l", "0", "2"}).out, "a\nb\n");
  EXPECT_EQ(cli({"--raw", "LIST.LEN", "l"}).out, "2\n");
  EXPECT_EQ(cli({"--raw", "CLIENT", "GETNAME"}).out, "\n");
  EXPECT_EQ(cli({"--raw", "-3", "LIST.LEN", "l"}).out, "2\n");
  EXPECT_EQ(cli({"--raw", "OBJECTS", "none*"}).out, "");
  CliResult err = cli({"--raw", "LIST.GET", "l", "9"});
  EXPECT_EQ(err.status, 1);
  EXPECT_EQ(err.out.rfind("INDEXERROR ", 0), 0u) << err.out;
  // Into a pipe, raw is the default (as redis-cli does).
  EXPECT_EQ(cli({"LIST.RANGE", "l", "0", "2"}).out, "a\nb\n");
}

TEST_F(Cli, JsonOutput) {
  client().call({"DICT.SET", "d", "k", "v\"1"});
  client().call({"LIST.EXTEND", "l", "a", "b"});
  EXPECT_EQ(cli({"--json", "LIST.RANGE", "l", "0", "2"}).out, "[\"a\",\"b\"]\n");
  EXPECT_EQ(cli({"--json", "DICT.GET", "d", "k"}).out, "\"v\\\"1\"\n");
  EXPECT_EQ(cli({"--json", "LIST.LEN", "l"}).out, "2\n");
  EXPECT_EQ(cli({"--json", "DICT.HAS", "d", "k"}).out, "true\n");
  EXPECT_EQ(cli({"--json", "CLIENT", "GETNAME"}).out, "null\n");
  CliResult map = cli({"--json", "DESCRIBE", "d"});
  EXPECT_EQ(map.out.rfind("{\"name\":\"d\",\"type\":\"dict\",\"size\":1,", 0), 0u) << map.out;
  EXPECT_NE(map.out.find(",\"anonymous\":false"), std::string::npos) << map.out;
  EXPECT_EQ(map.out.substr(map.out.size() - 2), "}\n");
  // -2 keeps RESP2, whose mappings are flat arrays.
  EXPECT_EQ(cli({"--json", "-2", "DICT.HAS", "d", "k"}).out, "1\n");
  CliResult err = cli({"--json", "DICT.GET", "d", "nope"});
  EXPECT_EQ(err.status, 1);
  EXPECT_EQ(err.out.rfind("{\"error\":\"KEYERROR ", 0), 0u) << err.out;
}

TEST_F(Cli, ScriptFromStdin) {
  const std::string script =
      "DICT.SET d a 1\n"
      "\n"
      "# a comment\n"
      "DICT.GET d a\r\n"
      "ECHO 'it\\'s'\n"
      "DICT.GET d zz\n"
      "LIST.EXTEND l p \"q r\"\n";
  CliResult raw = cli({}, script);
  EXPECT_EQ(raw.status, 1);  // one error reply in the script
  EXPECT_EQ(raw.out.rfind("1\n1\nit's\nKEYERROR ", 0), 0u) << raw.out;
  EXPECT_EQ(raw.out.substr(raw.out.size() - 3), "\n2\n") << raw.out;  // lines after an error run
  EXPECT_EQ(client().call({"LIST.GET", "l", "1"}).str, "q r");
  CliResult echo = cli({}, "ECHO \"x\\ty\\n\"\n");
  EXPECT_EQ(echo.out, "x\ty\n\n");
  EXPECT_EQ(echo.status, 0);

  CliResult pretty = cli({"--no-raw"}, "DICT.GET d a\nDICT.LEN d\n");
  EXPECT_EQ(pretty.out, "\"1\"\n(integer) 1\n");
  EXPECT_EQ(pretty.status, 0);

  CliResult bad = cli({}, "ECHO \"unbalanced\nPING\n");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("line 1: unbalanced quotes"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out, "PONG\n");
}

TEST_F(Cli, InteractivePromptCompletesAndAnswers) {
  const std::string history = cli_home() + "/.procshare_history";
  ::unlink(history.c_str());
  CliTerminal term({"-s", server_.unix_path()});
  const std::string prompt = "procshare unix:" + server_.unix_path() + "> ";
  ASSERT_TRUE(term.expect(prompt)) << term.seen();

  term.type("ech\t");  // completes to "echo " (in the case typed)
  ASSERT_TRUE(term.expect("echo ")) << term.seen();
  term.type("hello\r");
  ASSERT_TRUE(term.expect("\"hello\"\r\n" + prompt)) << term.seen();

  term.type("CREATE joi\t");  // a type name after CREATE
  ASSERT_TRUE(term.expect("CREATE joinablequeue ")) << term.seen();
  term.type("jobs\r");
  ASSERT_TRUE(term.expect("OK\r\n" + prompt)) << term.seen();
  EXPECT_EQ(client().call({"TYPE", "jobs"}).str, "joinablequeue");

  term.type("DICT.INCRBYF\t");  // a unique command name
  ASSERT_TRUE(term.expect("DICT.INCRBYFLOAT ")) << term.seen();
  term.type("d x 2.5\r");
  ASSERT_TRUE(term.expect("\"2.5\"\r\n" + prompt)) << term.seen();

  term.type("DESCRIBE jo\t");  // names of existing objects
  ASSERT_TRUE(term.expect("DESCRIBE jobs ")) << term.seen();
  term.type("\r");
  ASSERT_TRUE(term.expect("\"joinablequeue\"")) << term.seen();
  ASSERT_TRUE(term.expect(prompt)) << term.seen();

  // Characters typed before the prompt is up could meet a terminal not yet in
  // libedit's mode: every line waits for the prompt.
  term.type("DICT.GET d nope\r");
  ASSERT_TRUE(term.expect("(error) KEYERROR")) << term.seen();
  ASSERT_TRUE(term.expect(prompt)) << term.seen();
  term.type("AUTH secret\r");  // never written to the history file
  ASSERT_TRUE(term.expect(prompt)) << term.seen();
  term.type("quit\r");
  EXPECT_EQ(term.wait_exit(), 0);

  std::ifstream f(history);
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_NE(text.str().find("echo"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("joinablequeue"), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("secret"), std::string::npos) << text.str();
  struct stat st {};
  ASSERT_EQ(::stat(history.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(Cli, InteractiveHistoryIsReadBack) {
  const std::string history = temp_path("history");
  {
    CliTerminal term({"-s", server_.unix_path()}, {{"PROCSHARE_HISTFILE", history}});
    ASSERT_TRUE(term.expect("> "));
    term.type("ECHO remembered\r");
    ASSERT_TRUE(term.expect("\"remembered\"\r\nprocshare "));
    ASSERT_TRUE(term.expect("> "));
    term.type("\x04");  // Ctrl-D leaves too
    EXPECT_EQ(term.wait_exit(), 0) << term.seen();
  }
  CliTerminal term({"-s", server_.unix_path()}, {{"PROCSHARE_HISTFILE", history}});
  ASSERT_TRUE(term.expect("> "));
  term.type("\x10\r");  // Ctrl-P (previous line) recalls the previous session's line
  EXPECT_TRUE(term.expect("\"remembered\"\r\nprocshare ")) << term.seen();
  ASSERT_TRUE(term.expect("> "));
  term.type("exit\r");
  EXPECT_EQ(term.wait_exit(), 0);
  ::unlink(history.c_str());
}

TEST_F(Cli, TopShowsTheHolderAndTheBlockedWaiters) {
  auto holder = client();
  holder.call({"CLIENT", "SETNAME", "holder"});
  const auto holder_id = holder.call({"CLIENT", "ID"}).integer;
  const auto token = holder.call({"LOCK.ACQUIRE", "mylock"}).integer;
  ASSERT_GT(token, 0);
  auto waiter = client();
  waiter.call({"CLIENT", "SETNAME", "waiter"});
  const auto waiter_id = waiter.call({"CLIENT", "ID"}).integer;
  waiter.send({"LOCK.ACQUIRE", "mylock"});
  auto consumer = client();
  const auto consumer_id = consumer.call({"CLIENT", "ID"}).integer;
  consumer.send({"QUEUE.GET", "jobs"});
  client().call({"DICT.UPDATE", "scores", "a", "1", "b", "2"});
  auto observer = client();
  ASSERT_TRUE(wait_until([&] { return info_field(observer, "blocked_clients") == 2; }));

  CliResult top = cli({"top", "--once"});
  ASSERT_EQ(top.status, 0) << top.err;
  const std::string& out = top.out;
  // Who waits on what, and who holds it.
  const std::string holder_label = "client " + std::to_string(holder_id) + " (holder)";
  EXPECT_NE(out.find("WAITING (2 blocked"), std::string::npos) << out;
  auto waiting_row = [&](std::int64_t id) {
    std::size_t at = out.find("\n  " + std::to_string(id) + " ");
    return at == std::string::npos ? std::string()
                                   : out.substr(at + 1, out.find('\n', at + 1) - at);
  };
  const std::string w = waiting_row(waiter_id);
  EXPECT_NE(w.find("LOCK.ACQUIRE"), std::string::npos) << out;
  EXPECT_NE(w.find("mylock"), std::string::npos) << out;
  EXPECT_NE(w.find(holder_label), std::string::npos) << out;
  const std::string q = waiting_row(consumer_id);
  EXPECT_NE(q.find("QUEUE.GET"), std::string::npos) << out;
  EXPECT_NE(q.find("jobs"), std::string::npos) << out;
  // The locks section names the owner and its fencing token.
  std::size_t locks = out.find("\nLOCKS\n");
  ASSERT_NE(locks, std::string::npos) << out;
  std::size_t row = out.find("mylock", locks);
  std::string lock_line = out.substr(row, out.find('\n', row) - row);
  EXPECT_NE(lock_line.find("held by " + holder_label), std::string::npos) << out;
  EXPECT_NE(lock_line.find(" " + std::to_string(token) + " "), std::string::npos) << out;
  // Objects by type, with sizes; clients with their state.
  EXPECT_NE(out.find("OBJECTS BY TYPE"), std::string::npos) << out;
  EXPECT_NE(out.find("scores"), std::string::npos) << out;
  EXPECT_NE(out.find("blocked"), std::string::npos) << out;
  EXPECT_NE(out.find("ops/sec"), std::string::npos) << out;
  EXPECT_NE(out.find("(this top)"), std::string::npos) << out;

  // The holder goes: the waiter gets the lock, and top shows nobody waiting on it.
  holder.close();
  EXPECT_GT(waiter.read().integer, token);
  CliResult after = cli({"top", "--once"});
  EXPECT_NE(after.out.find("WAITING (1 blocked"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("held by client " + std::to_string(waiter_id) + " (waiter)"),
            std::string::npos)
      << after.out;
}

TEST_F(Cli, TopRefreshesIntoAPipe) {
  // Without --once and without a terminal: a frame per interval, until killed.
  // Here the deadline kills it; two frames must have arrived by then.
  CliResult r = run_cli({"-s", server_.unix_path(), "top", "--interval", "0.1"}, {}, {},
                        std::chrono::milliseconds(3000));
  std::size_t first = r.out.find("procshare top");
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("procshare top", first + 1), std::string::npos) << r.out;
}

TEST(CliFailures, UnreachableServerIsOneLine) {
  const std::string nowhere = temp_path("no-server");
  expect_one_line_failure(run_cli({"-s", nowhere, "PING"}), "cannot connect to unix:" + nowhere);
  expect_one_line_failure(run_cli({"-s", nowhere, "top", "--once"}), "cannot connect");
  expect_one_line_failure(run_cli({"-s", nowhere}, "PING\n"), "cannot connect");
  // A TCP port nobody listens on: bind one, then close it.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const int port = ntohs(a.sin_port);
  ::close(fd);
  expect_one_line_failure(run_cli({"-h", "127.0.0.1", "-p", std::to_string(port), "PING"}),
                          "cannot connect to tcp://127.0.0.1:" + std::to_string(port));
}

TEST(CliFailures, MalformedAddressIsOneLine) {
  expect_one_line_failure(run_cli({"-a", "tcp://localhost:notaport", "PING"}),
                          "invalid procshare address 'tcp://localhost:notaport'");
  expect_one_line_failure(run_cli({"-a", "nonsense", "PING"}), "invalid procshare address");
  expect_one_line_failure(run_cli({"-p", "99999", "PING"}), "invalid port");
}

TEST(CliAuth, KeyFileAndWrongKey) {
  ServerProcess server(ServerProcess::Options{.authkey = "s3cret-0123456789"});
  const std::string good = write_key_file("s3cret-0123456789");
  const std::string bad = write_key_file("guess");
  CliResult ok = run_cli({"-s", server.unix_path(), "--authkey-file", good, "PING"});
  EXPECT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "PONG\n");
  // Over TCP too, and the key from the environment.
  CliResult tcp = run_cli({"-p", std::to_string(server.tcp_port()), "ECHO", "hi"}, {},
                          {{"PROCSHARE_AUTHKEY", "s3cret-0123456789"}});
  EXPECT_EQ(tcp.out, "hi\n") << tcp.err;
  CliResult top = run_cli({"-s", server.unix_path(), "--authkey-file", good, "top", "--once"});
  EXPECT_EQ(top.status, 0) << top.err;

  expect_one_line_failure(run_cli({"-s", server.unix_path(), "--authkey-file", bad, "PING"}),
                          "authentication failed");
  expect_one_line_failure(
      run_cli({"-s", server.unix_path(), "--authkey-file", temp_path("missing"), "PING"}),
      "cannot read authkey file");
  // No key at all: the server's NOAUTH is an error reply.
  CliResult none = run_cli({"-s", server.unix_path(), "DICT.LEN", "d"});
  EXPECT_EQ(none.status, 1);
  EXPECT_EQ(none.out.rfind("NOAUTH", 0), 0u) << none.out;
  ::unlink(good.c_str());
  ::unlink(bad.c_str());
}

TEST(CliAuth, PromptWithoutAKeySaysSoAndRecoversAfterAuth) {
  ServerProcess server(ServerProcess::Options{.authkey = "s3cret-0123456789"});
  CliTerminal term({"-s", server.unix_path()});
  ASSERT_TRUE(term.expect("wants an authkey")) << term.seen();
  ASSERT_TRUE(term.expect("> ")) << term.seen();
  term.type("AUTH s3cret-0123456789\r");
  ASSERT_TRUE(term.expect("OK\r\n")) << term.seen();
  ASSERT_TRUE(term.expect("> ")) << term.seen();
  term.type("dict.incrbyf\t");  // the command list is loaded once authenticated
  ASSERT_TRUE(term.expect("dict.incrbyfloat ")) << term.seen();
  term.type("d k 1\r");
  ASSERT_TRUE(term.expect("\"1.0\"")) << term.seen();
  ASSERT_TRUE(term.expect("> ")) << term.seen();
  term.type("exit\r");
  EXPECT_EQ(term.wait_exit(), 0);
}

}  // namespace
}  // namespace procshare::test

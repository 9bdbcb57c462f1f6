// procshare-cli's pure parts: reply printing, option parsing, completion
// rules, and top's parsers and layout. No server, no terminal.
#include <gtest/gtest.h>

#include "cli_options.hpp"
#include "command_catalog.hpp"
#include "reply_format.hpp"
#include "top_render.hpp"
#include "top_snapshot.hpp"

namespace procshare::cli {
namespace {

using protocol::Reply;
using T = Reply::Type;

Reply bulk(std::string s) {
  Reply r;
  r.type = T::bulk;
  r.str = std::move(s);
  return r;
}
Reply integer(std::int64_t v) {
  Reply r;
  r.type = T::integer;
  r.integer = v;
  return r;
}
Reply aggregate(T type, std::vector<Reply> elements) {
  Reply r;
  r.type = type;
  r.elements = std::move(elements);
  return r;
}

TEST(CliFormat, QuotingAsRedisCli) {
  EXPECT_EQ(quote_bytes("plain"), "\"plain\"");
  EXPECT_EQ(quote_bytes(std::string("a\"\\\n\r\t\a\b\0\x7f\xc3", 11)),
            "\"a\\\"\\\\\\n\\r\\t\\a\\b\\x00\\x7f\\xc3\"");
}

TEST(CliFormat, NestedArraysAlignUnderWideNumbers) {
  std::vector<Reply> ten;
  for (int i = 0; i < 9; ++i) ten.push_back(integer(i));
  ten.push_back(aggregate(T::array, {bulk("x"), aggregate(T::array, {})}));
  EXPECT_EQ(format_reply(aggregate(T::array, ten), OutputMode::tty),
            " 1) (integer) 0\n 2) (integer) 1\n 3) (integer) 2\n 4) (integer) 3\n"
            " 5) (integer) 4\n 6) (integer) 5\n 7) (integer) 6\n 8) (integer) 7\n"
            " 9) (integer) 8\n10) 1) \"x\"\n    2) (empty array)\n");
}

TEST(CliFormat, MapsSetsAndScalars) {
  Reply map =
      aggregate(T::map, {bulk("k"), aggregate(T::set, {bulk("a"), bulk("b")}), bulk("n"), Reply{}});
  EXPECT_EQ(format_reply(map, OutputMode::tty),
            "1# \"k\" => 1~ \"a\"\n   2~ \"b\"\n2# \"n\" => (nil)\n");
  EXPECT_EQ(format_reply(map, OutputMode::raw), "k\na\nb\nn\n\n");
  EXPECT_EQ(format_reply(map, OutputMode::json), "{\"k\":[\"a\",\"b\"],\"n\":null}\n");
  Reply d;
  d.type = T::dbl;
  d.dbl = 1.5;
  d.str = "1.5";
  EXPECT_EQ(format_reply(d, OutputMode::tty), "(double) 1.5\n");
  EXPECT_EQ(format_reply(d, OutputMode::json), "1.5\n");
  d.str = "inf";
  d.dbl = std::numeric_limits<double>::infinity();
  EXPECT_EQ(format_reply(d, OutputMode::json), "\"inf\"\n");
  Reply b;
  b.type = T::boolean;
  b.integer = 1;
  EXPECT_EQ(format_reply(b, OutputMode::tty), "(true)\n");
  EXPECT_EQ(format_reply(b, OutputMode::raw), "1\n");
  Reply e;
  e.type = T::error;
  e.str = "KEYERROR no such key";
  EXPECT_EQ(format_reply(e, OutputMode::tty), "(error) KEYERROR no such key\n");
  EXPECT_EQ(format_reply(e, OutputMode::raw), "KEYERROR no such key\n");
  EXPECT_EQ(format_reply(e, OutputMode::json), "{\"error\":\"KEYERROR no such key\"}\n");
  Reply s;
  s.type = T::simple;
  s.str = "OK";
  EXPECT_EQ(format_reply(s, OutputMode::tty), "OK\n");
  EXPECT_EQ(format_reply(aggregate(T::map, {}), OutputMode::tty), "(empty hash)\n");
}

TEST(CliFormat, JsonStringsKeepUtf8AndEscapeTheRest) {
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac"), "\"caf\xc3\xa9 \xe2\x82\xac\"");
  EXPECT_EQ(json_string(std::string("\x01\xff\xc3\"\\\n", 6)),
            "\"\\u0001\\u00ff\\u00c3\\\"\\\\\\n\"");
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\u00ed\\u00a0\\u0080\"");  // a surrogate is not UTF-8
}

TEST(CliOptions, AddressForms) {
  auto parse = [](std::vector<std::string> argv) { return parse_cli_options(argv); };
  EXPECT_EQ(parse({"-s", "/x.sock", "PING"}).options->address, "unix:/x.sock");
  EXPECT_EQ(parse({"-p", "7000"}).options->address, "tcp://127.0.0.1:7000");
  EXPECT_EQ(parse({"-h", "::1", "-p", "7000"}).options->address, "tcp://[::1]:7000");
  EXPECT_EQ(parse({"--address=tcp://h:1"}).options->address, "tcp://h:1");
  EXPECT_EQ(parse({}).options->address, "");
  EXPECT_FALSE(parse({"-a", "x", "-s", "y"}).options);
  EXPECT_FALSE(parse({"-p", "0"}).options);
  EXPECT_EQ(parse({"-a"}).error, "option -a needs a value");
}

TEST(CliOptions, TlsAsRedisCliSpellsIt) {
  auto o = parse_cli_options({"--tls", "--cacert", "ca.crt", "--cert", "c.crt", "--key=c.key",
                              "--sni", "db.example", "-h", "10.0.0.1", "-p", "7380", "PING"});
  ASSERT_TRUE(o.options) << o.error;
  EXPECT_EQ(o.options->address, "tls://10.0.0.1:7380");
  EXPECT_EQ(o.options->cacert, "ca.crt");
  EXPECT_EQ(o.options->cert, "c.crt");
  EXPECT_EQ(o.options->key, "c.key");
  EXPECT_EQ(o.options->sni, "db.example");
  EXPECT_EQ(o.options->command, (std::vector<std::string>{"PING"}));
  EXPECT_EQ(parse_cli_options({"--tls", "-a", "h:1"}).options->address, "tls://h:1");
  EXPECT_EQ(parse_cli_options({"--tls", "-a", "tcp://h:1"}).options->address, "tls://h:1");
  EXPECT_EQ(parse_cli_options({"-a", "tls://h:1"}).options->address, "tls://h:1");
  // As redis-cli: --cert alone reads its key from the same file.
  EXPECT_EQ(parse_cli_options({"--tls", "-p", "1", "--cert", "both.pem"}).options->key, "both.pem");
  EXPECT_FALSE(parse_cli_options({"--tls", "-s", "/x.sock"}).options);
  EXPECT_FALSE(parse_cli_options({"--tls"}).options);  // no TCP server named
  EXPECT_EQ(parse_cli_options({"--cacert"}).error, "option --cacert needs a value");
}

TEST(CliOptions, CommandWordsAreNotOptions) {
  auto o = parse_cli_options({"--raw", "ECHO", "-a", "--json"});
  ASSERT_TRUE(o.options);
  EXPECT_EQ(o.options->mode, Mode::command);
  EXPECT_EQ(o.options->command, (std::vector<std::string>{"ECHO", "-a", "--json"}));
  EXPECT_EQ(o.options->output, OutputMode::raw);
  auto dashdash = parse_cli_options({"--", "--weird"});
  EXPECT_EQ(dashdash.options->command, (std::vector<std::string>{"--weird"}));
}

TEST(CliOptions, Top) {
  auto o = parse_cli_options({"top", "--once", "--interval", "0.5", "-s", "/s"});
  ASSERT_TRUE(o.options) << o.error;
  EXPECT_EQ(o.options->mode, Mode::top);
  EXPECT_TRUE(o.options->once);
  EXPECT_EQ(o.options->interval_s, 0.5);
  EXPECT_EQ(o.options->address, "unix:/s");
  EXPECT_FALSE(parse_cli_options({"top", "extra"}).options);
  EXPECT_FALSE(parse_cli_options({"top", "--interval", "0"}).options);
  EXPECT_FALSE(parse_cli_options({"--once"}).options);  // only after top
}

CommandCatalog catalog() {
  auto doc = [](std::string summary, std::string group) {
    return aggregate(T::map, {bulk("summary"), bulk(summary), bulk("since"), bulk("0.1.0"),
                              bulk("group"), bulk(group), bulk("arguments"),
                              aggregate(T::array, {aggregate(T::map, {bulk("name"), bulk("d")})})});
  };
  // RESP2's flat array of pairs reads the same as a map.
  return CommandCatalog::from_docs(aggregate(
      T::array, {bulk("dict.set"), doc("d[k] = v", "dict"), bulk("dict.setdefault"),
                 doc("setdefault", "dict"), bulk("create"), doc("Create", "server"), bulk("del"),
                 doc("Delete", "server"), bulk("ping"), doc("Pong", "server")}));
}

TEST(CliCompletion, CatalogFromDocs) {
  CommandCatalog c = catalog();
  ASSERT_EQ(c.commands().size(), 5u);
  EXPECT_EQ(c.commands().front().name, "CREATE");
  const CommandDoc* d = c.find("Dict.Set");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->summary, "d[k] = v");
  EXPECT_EQ(d->arguments, std::vector<std::string>{"d"});
  EXPECT_EQ(command_help(*d), "DICT.SET d\n  d[k] = v\n  group: dict");
}

TEST(CliCompletion, WhatToComplete) {
  CommandCatalog c = catalog();
  using K = CompletionRequest::Kind;
  EXPECT_EQ(completion_request(c, "").kind, K::command);
  EXPECT_EQ(completion_request(c, "dic").prefix, "dic");
  EXPECT_EQ(completion_request(c, "create q").kind, K::type);
  EXPECT_EQ(completion_request(c, "CREATE queue ").kind, K::none);
  EXPECT_EQ(completion_request(c, "DICT.SET sc").kind, K::object);
  EXPECT_EQ(completion_request(c, "DICT.SET scores k").kind, K::none);
  EXPECT_EQ(completion_request(c, "DEL a b ").kind, K::object);
  EXPECT_EQ(completion_request(c, "PING ").kind, K::none);
  EXPECT_EQ(completion_request(c, "help dict.").kind, K::command);
}

TEST(CliCompletion, FollowsTheCaseTyped) {
  auto names = command_names(catalog());
  EXPECT_EQ(complete_words(names, "dict.se"),
            (std::vector<std::string>{"dict.set", "dict.setdefault"}));
  EXPECT_EQ(complete_words(names, "DICT.SETD"), std::vector<std::string>{"DICT.SETDEFAULT"});
  EXPECT_EQ(complete_words(names, "Cr"), std::vector<std::string>{"CREATE"});
  EXPECT_EQ(complete_words(type_names(), "joi"), std::vector<std::string>{"joinablequeue"});
  EXPECT_EQ(complete_words(type_names(), "b").size(), 2u);  // barrier, boundedsemaphore
  EXPECT_EQ(glob_for_prefix("a*b["), "a\\*b\\[*");
}

TEST(CliTop, ParsesClientListAndInfo) {
  auto rows = parse_client_list(
      "id=7 addr=unix name=w age=12 idle=3 resp=2 cmd=QUEUE.GET cmds=4 "
      "blocked=QUEUE.GET:jobs waited=3.250\n"
      "id=2 addr=127.0.0.1:5000 name= age=1 idle=1 resp=3 cmd=NULL cmds=0\n");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].id, 2);
  EXPECT_EQ(rows[0].addr, "127.0.0.1:5000");
  EXPECT_FALSE(rows[0].blocked_command);
  EXPECT_EQ(rows[0].last_command, "");
  EXPECT_EQ(rows[1].name, "w");
  EXPECT_EQ(rows[1].blocked_command, "QUEUE.GET");
  EXPECT_EQ(rows[1].blocked_on, "jobs");
  EXPECT_DOUBLE_EQ(rows[1].waited_s, 3.25);
  auto info = parse_info("# Server\r\nprocshare_version:0.1.0\r\n\r\n# Stats\r\nx:1:2\r\n");
  EXPECT_EQ(info["procshare_version"], "0.1.0");
  EXPECT_EQ(info["x"], "1:2");
}

TEST(CliTop, RendersWaitersWithTheLockHolder) {
  Snapshot s;
  s.info = {{"procshare_version", "0.1.0"},
            {"connected_clients", "3"},
            {"blocked_clients", "1"},
            {"total_commands_processed", "100"},
            {"uptime_in_seconds", "10"}};
  s.clients = parse_client_list(
      "id=1 addr=unix name=holder age=5 idle=1 resp=2 cmd=LOCK.ACQUIRE cmds=2\n"
      "id=2 addr=unix name=waiter age=5 idle=4 resp=2 cmd=LOCK.ACQUIRE cmds=2 "
      "blocked=LOCK.ACQUIRE:L waited=4.000\n"
      "id=3 addr=unix name=procshare-top age=0 idle=0 resp=3 cmd=INFO cmds=3\n");
  s.self_id = 3;
  Reply d = aggregate(
      T::map, {bulk("type"), bulk("lock"), bulk("size"), integer(0), bulk("refs"), integer(0),
               bulk("waiters"), integer(1), bulk("owner"), integer(1), bulk("token"), integer(7)});
  s.objects.push_back(*parse_describe("L", d));
  s.object_names = 1;
  OpsRate ops = ops_rate(s, nullptr);
  EXPECT_TRUE(ops.average);
  EXPECT_DOUBLE_EQ(ops.per_sec, 10);
  std::string text;
  for (const std::string& l : render_top(s, ops, {"unix:/s"})) text += l + "\n";
  EXPECT_NE(text.find("WAITING (1 blocked, longest first)\n"
                      "  CLIENT  NAME    WAITING FOR   ON  SINCE  HELD BY\n"
                      "  2       waiter  LOCK.ACQUIRE  L   4s     client 1 (holder)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  L     lock  held by client 1 (holder)  7      1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("(this top)"), std::string::npos) << text;

  // A later snapshot: top's own commands do not count as traffic.
  Snapshot later = s;
  later.taken = s.taken + std::chrono::seconds(2);
  s.own_commands = 4;
  later.info["total_commands_processed"] = "124";
  EXPECT_DOUBLE_EQ(ops_rate(later, &s).per_sec, 10);

  // A short terminal cuts the frame at the bottom, saying so.
  auto cut = render_top(s, ops, {"unix:/s", 30, 5});
  ASSERT_EQ(cut.size(), 5u);
  EXPECT_EQ(cut.back().rfind("... ", 0), 0u);
  for (const auto& l : cut) EXPECT_LE(l.size(), 30u);
}

TEST(CliTop, Durations) {
  EXPECT_EQ(format_duration(1.234), "1.2s");
  EXPECT_EQ(format_duration(42), "42s");
  EXPECT_EQ(format_duration(3), "3s");
  EXPECT_EQ(format_duration(125), "2m05s");
  EXPECT_EQ(format_duration(7300), "2h01m");
  EXPECT_EQ(format_duration(90000), "1d01h");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
}

}  // namespace
}  // namespace procshare::cli

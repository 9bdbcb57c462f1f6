// The engine's own behaviour: dispatch order, errors, object commands (§5).
#include "harness.hpp"

namespace procshare::test {
namespace {

TEST(EngineCore, UnknownCommandAndArity) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"NOSUCH", "a"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"ECHO"}), "ERR"));
  EXPECT_TRUE(is_bulk(h.call(c, {"echo", "hi"}), "hi"));
  auto pong = h.call(c, {"PING"});
  EXPECT_EQ(pong.type, Reply::Type::simple);
  EXPECT_EQ(pong.str, "PONG");
}

TEST(EngineCore, AuthRequiredBeforeCommands) {
  server::Config cfg;
  cfg.authkey = "secret-0123456789";
  Harness h(cfg);
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"OBJECTS"}), "NOAUTH"));
  EXPECT_EQ(h.call(c, {"PING"}).str, "PONG");
  EXPECT_TRUE(is_error(h.call(c, {"AUTH", "wrong"}), "WRONGPASS"));
  EXPECT_TRUE(is_ok(h.call(c, {"AUTH", "secret-0123456789"})));
  EXPECT_EQ(h.call(c, {"OBJECTS"}).type, Reply::Type::array);
}

TEST(EngineCore, NotFoundAndTypeOfMissing) {
  Harness h;
  auto& c = h.client();
  EXPECT_TRUE(is_error(h.call(c, {"DESCRIBE", "nope"}), "NOTFOUND"));
  auto t = h.call(c, {"TYPE", "nope"});
  EXPECT_EQ(t.str, "none");
  EXPECT_TRUE(is_int(h.call(c, {"EXISTS", "nope", "nope2"}), 0));
  EXPECT_TRUE(is_error(h.call(c, {"CREATE", "nosuchtype", "x"}), "ERR"));
  EXPECT_TRUE(is_error(h.call(c, {"METHODS", "nosuchtype"}), "ERR"));
}

TEST(EngineCore, GlobMatching) {
  using server::glob_match;
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hello"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-z]llo", "hxllo"));
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_TRUE(glob_match("*a*b*c*", "xxaxxbxxcxx"));
  EXPECT_FALSE(glob_match("*a*b*c*d", std::string(10000, 'a')));
}

}  // namespace
}  // namespace procshare::test

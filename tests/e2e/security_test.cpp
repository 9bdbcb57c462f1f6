// End-to-end security tests (issue 4): the authkey handshake of PROTOCOL.md
// §4, protected mode, the limits of §2 and hostile input, against the real
// procshare-server binary over real sockets. Every wait polls an observable
// state with a deadline; the only sleeps are the slowloris's own pacing.
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <optional>
#include <random>
#include <thread>

#include "procshare/protocol/handshake.hpp"
#include "support/server_process.hpp"
#include "support/tls_certs.hpp"

namespace procshare::test {
namespace {

namespace auth = protocol::auth;
using Clock = std::chrono::steady_clock;

const std::string kKey = "correct horse battery staple";

ServerProcess keyed_server(std::vector<std::string> args = {}) {
  ServerProcess::Options o;
  o.authkey = kKey;
  o.args = std::move(args);
  return ServerProcess(o);
}

RawClient authed_unix(const ServerProcess& s) {
  auto c = RawClient::unix_socket(s.unix_path());
  Reply r = c.call({"AUTH", kKey});
  if (r.str != "OK") throw std::runtime_error("AUTH failed: " + r.str);
  return c;
}

::testing::AssertionResult is_error(const Reply& r, std::string_view code) {
  if (r.is_error() && r.error_code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected -" << code << ", got type "
                                       << static_cast<int>(r.type) << " '" << r.str << "'";
}

::testing::AssertionResult is_protocol_error(const Reply& r) {
  if (r.is_error() && r.error_code() == "ERR" &&
      r.str.find("Protocol error") != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected -ERR Protocol error, got type "
                                       << static_cast<int>(r.type) << " '" << r.str << "'";
}

// The client side of the handshake: AUTH.CHALLENGE, then the server nonce.
std::string challenge(RawClient& c) {
  Reply r = c.call({"AUTH.CHALLENGE"});
  EXPECT_EQ(r.type, Reply::Type::bulk) << r.str;
  EXPECT_TRUE(auth::is_nonce_hex(r.str)) << r.str;
  return r.str;
}

// Runs the real binary to completion (it must exit by itself); returns its
// exit status and everything it printed.
struct Exit {
  int status = -1;
  std::string output;
};
Exit run_server_to_exit(const std::vector<std::string>& args,
                        const std::optional<std::string>& env_key = std::nullopt) {
  std::string cmd = "timeout 20 env -u PROCSHARE_AUTHKEY ";
  if (env_key) cmd += "PROCSHARE_AUTHKEY='" + *env_key + "' ";
  cmd += PROCSHARE_SERVER_BIN;
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  Exit e;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return e;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) e.output.append(buf, n);
  int st = ::pclose(p);
  e.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return e;
}

std::string write_key_file(const std::string& contents, mode_t mode) {
  std::string path = temp_path("authkey");
  {
    std::ofstream f(path, std::ios::binary);
    f << contents;
  }
  ::chmod(path.c_str(), mode);
  return path;
}

// A non-loopback IPv4 address of this machine, if it has one.
std::optional<std::string> non_loopback_ipv4() {
  ifaddrs* all = nullptr;
  if (::getifaddrs(&all) != 0) return std::nullopt;
  std::optional<std::string> found;
  for (ifaddrs* i = all; i && !found; i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) continue;
    char text[INET_ADDRSTRLEN];
    if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text)) found = text;
  }
  ::freeifaddrs(all);
  return found;
}

// The port of the server's second TCP listener (ServerProcess's own
// 127.0.0.1:0 comes first), from INFO's tcp_listeners "a:p1,b:p2".
int second_tcp_port(const ServerProcess& s) {
  auto c = RawClient::unix_socket(s.unix_path());
  c.call({"AUTH", kKey});
  std::string info = c.call({"INFO", "server"}).str;
  auto at = info.find("tcp_listeners:");
  if (at == std::string::npos) return -1;
  std::string line = info.substr(at, info.find("\r\n", at) - at);
  auto comma = line.find(',');
  if (comma == std::string::npos) return -1;
  return std::stoi(line.substr(line.rfind(':') + 1));
}

long stat_of(const ServerProcess& s, const std::string& field) {
  auto c = authed_unix(s);
  return info_field(c, field);
}

std::string frame(const std::vector<std::string>& args) {
  std::string f = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) f += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return f;
}

// ---------------------------------------------------------------------------
// The challenge-response

TEST(Security, ChallengeResponseSucceedsAndServerProofVerifies) {
  auto server = keyed_server();
  auto c = RawClient::tcp(server.tcp_port());
  EXPECT_TRUE(is_error(c.call({"DICT.SET", "d", "k", "v"}), "NOAUTH"));
  std::string ns = challenge(c);
  std::string nc = auth::random_nonce_hex();
  Reply proof = c.call({"AUTH.PROVE", auth::client_proof(kKey, ns, nc), nc});
  ASSERT_EQ(proof.type, Reply::Type::bulk) << proof.str;
  EXPECT_EQ(proof.str, auth::server_proof(kKey, nc, ns));
  // Computed independently of the library, straight from the §4 formula.
  EXPECT_EQ(proof.str, auth::hmac_sha256_hex(kKey, "procshare-server" + nc + ns));
  EXPECT_EQ(c.call({"DICT.SET", "d", "k", "v"}).integer, 1);
  EXPECT_EQ(c.call({"DICT.GET", "d", "k"}).str, "v");
  // Two challenges never repeat.
  auto other = RawClient::tcp(server.tcp_port());
  EXPECT_NE(challenge(other), ns);
}

// Sends `prove` (already framed) and whatever follows it in the same write;
// expects -WRONGPASS after a delay, then the close, and nothing in between.
void expect_refused_and_closed(RawClient& c, const std::string& prove, const char* what) {
  SCOPED_TRACE(what);
  auto t0 = Clock::now();
  c.send_raw(prove + frame({"DICT.SET", "sneaky", "k", "v"}) + frame({"PING"}));
  Reply r = c.read();
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(50));
  EXPECT_TRUE(is_error(r, "WRONGPASS"));
  // Nothing after the failed proof ran: no reply to DICT.SET or PING, just the close.
  EXPECT_EQ(c.read_raw(2000ms), "");
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(Security, EveryBadProofFailsAndClosesTheConnection) {
  auto server = keyed_server();
  const int port = server.tcp_port();
  {
    auto c = RawClient::tcp(port);
    std::string ns = challenge(c), nc = auth::random_nonce_hex();
    expect_refused_and_closed(c, frame({"AUTH.PROVE", auth::client_proof("wrong key", ns, nc), nc}),
                              "wrong key");
  }
  {
    auto c = RawClient::tcp(port);
    std::string ns = challenge(c), nc = auth::random_nonce_hex();
    std::string proof = auth::client_proof(kKey, ns, nc);
    expect_refused_and_closed(c, frame({"AUTH.PROVE", proof.substr(0, 63), nc}), "truncated proof");
  }
  {
    auto c = RawClient::tcp(port);
    std::string ns = challenge(c), nc = auth::random_nonce_hex();
    std::string proof = auth::client_proof(kKey, ns, nc);
    expect_refused_and_closed(c, frame({"AUTH.PROVE", proof, nc.substr(0, 63)}),
                              "truncated client nonce");
  }
  {
    // The nonce is single use: a second AUTH.PROVE for the same Ns fails,
    // even with the proof that just succeeded.
    auto c = RawClient::tcp(port);
    std::string ns = challenge(c), nc = auth::random_nonce_hex();
    std::string proof = auth::client_proof(kKey, ns, nc);
    EXPECT_EQ(c.call({"AUTH.PROVE", proof, nc}).type, Reply::Type::bulk);
    expect_refused_and_closed(c, frame({"AUTH.PROVE", proof, nc}), "reused nonce");
  }
  {
    // A proof made for another connection's nonce.
    auto victim = RawClient::tcp(port);
    auto thief = RawClient::tcp(port);
    std::string victim_ns = challenge(victim);
    challenge(thief);
    std::string nc = auth::random_nonce_hex();
    expect_refused_and_closed(thief,
                              frame({"AUTH.PROVE", auth::client_proof(kKey, victim_ns, nc), nc}),
                              "another connection's nonce");
    // The victim's own handshake is unaffected.
    std::string nc2 = auth::random_nonce_hex();
    EXPECT_EQ(victim.call({"AUTH.PROVE", auth::client_proof(kKey, victim_ns, nc2), nc2}).str,
              auth::server_proof(kKey, nc2, victim_ns));
  }
  {
    auto c = RawClient::tcp(port);
    std::string nc = auth::random_nonce_hex();
    std::string made_up = auth::random_nonce_hex();
    expect_refused_and_closed(c, frame({"AUTH.PROVE", auth::client_proof(kKey, made_up, nc), nc}),
                              "AUTH.PROVE without AUTH.CHALLENGE");
  }
  // None of the pipelined commands behind the failures ran; each failure counted.
  auto ctl = authed_unix(server);
  EXPECT_EQ(ctl.call({"EXISTS", "sneaky"}).integer, 0);
  EXPECT_EQ(info_field(ctl, "auth_failures"), 6);
}

// What the thin clients (redis-cli, netcat, Redis libraries) use.
TEST(Security, PlainAuthOnLocalConnections) {
  auto server = keyed_server();
  for (bool tcp : {false, true}) {
    SCOPED_TRACE(tcp ? "loopback tcp" : "unix");
    auto c = tcp ? RawClient::tcp(server.tcp_port()) : RawClient::unix_socket(server.unix_path());
    EXPECT_TRUE(is_error(c.call({"OBJECTS"}), "NOAUTH"));
    EXPECT_EQ(c.call({"PING"}).str, "PONG");  // allowed before authenticating
    auto t0 = Clock::now();
    Reply wrong = c.call({"AUTH", "not the key"});
    EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(50));
    EXPECT_TRUE(is_error(wrong, "WRONGPASS"));
    // The connection is kept, still unauthenticated.
    EXPECT_TRUE(is_error(c.call({"DICT.SET", "d", "k", "v"}), "NOAUTH"));
    EXPECT_TRUE(is_error(c.call({"AUTH", "someone", kKey}), "WRONGPASS"));
    EXPECT_EQ(c.call({"AUTH", "default", kKey}).str, "OK");
    EXPECT_EQ(c.call({"DICT.SET", "d", "k", "v"}).type, Reply::Type::integer);
    // A wrong AUTH later answers once and leaves the connection authenticated.
    c.send({"AUTH", "nope"});
    c.send({"PING"});
    EXPECT_TRUE(is_error(c.read(), "WRONGPASS"));
    EXPECT_EQ(c.read().str, "PONG");
    EXPECT_EQ(c.call({"DICT.GET", "d", "k"}).str, "v");
  }
  // Inline, as with netcat.
  auto nc = RawClient::tcp(server.tcp_port());
  nc.send_raw("DICT.LEN d\r\n");
  EXPECT_TRUE(is_error(nc.read(), "NOAUTH"));
  nc.send_raw("AUTH \"" + kKey + "\"\r\nDICT.LEN d\r\n");
  EXPECT_EQ(nc.read().str, "OK");
  EXPECT_EQ(nc.read().integer, 1);
  EXPECT_EQ(stat_of(server, "auth_failures"), 6);
}

TEST(Security, HelloAuthDefaultKey) {
  auto server = keyed_server();
  auto c = RawClient::tcp(server.tcp_port());
  // HELLO is allowed before authentication (PROTOCOL.md §4): it switches the
  // protocol; everything else still needs the key, and so does SETNAME.
  EXPECT_EQ(c.call({"HELLO", "3"}).type, Reply::Type::map);
  EXPECT_TRUE(is_error(c.call({"HELLO", "3", "SETNAME", "early"}), "NOAUTH"));
  EXPECT_TRUE(is_error(c.call({"DICT.LEN", "d"}), "NOAUTH"));
  EXPECT_TRUE(is_error(c.call({"HELLO", "3", "AUTH", "default", "wrong"}), "WRONGPASS"));
  // A HELLO that fails changes nothing: a bad word after a right key does not
  // authenticate, and a bad name does not either.
  EXPECT_TRUE(is_error(c.call({"HELLO", "3", "AUTH", "default", kKey, "BOGUS"}), "ERR"));
  EXPECT_TRUE(is_error(c.call({"HELLO", "3", "AUTH", "default", kKey, "SETNAME", "a b"}), "ERR"));
  EXPECT_TRUE(is_error(c.call({"HELLO", "4", "AUTH", "default", kKey}), "NOPROTO"));
  EXPECT_TRUE(is_error(c.call({"DICT.LEN", "d"}), "NOAUTH"));
  Reply hello = c.call({"HELLO", "3", "AUTH", "default", kKey, "SETNAME", "me"});
  ASSERT_EQ(hello.type, Reply::Type::map) << hello.str;
  EXPECT_EQ(c.call({"CLIENT", "GETNAME"}).str, "me");
  EXPECT_EQ(c.call({"SET.ADD", "s", "x"}).integer, 1);
  // A wrong password on an authenticated connection: one error, no HELLO reply.
  c.send({"HELLO", "3", "AUTH", "default", "wrong"});
  c.send({"PING"});
  EXPECT_TRUE(is_error(c.read(), "WRONGPASS"));
  EXPECT_EQ(c.read().str, "PONG");
  EXPECT_EQ(stat_of(server, "auth_failures"), 2);
}

TEST(Security, PythonClientFromTheProtocolTextAlone) {
  auto server = keyed_server();
  std::string script = std::string(PROCSHARE_SOURCE_DIR) + "/tests/e2e/auth_interop.py";
  const std::string tls = server.tls() ? " --tls-ca '" + test_certs().ca_cert + "'" : "";
  auto run = [&](const std::string& extra) {
    std::string cmd = "PROCSHARE_AUTHKEY='" + kKey + "' timeout 30 python3 '" + script +
                      "' 127.0.0.1 " + std::to_string(server.tcp_port()) + extra + tls + " 2>&1";
    Exit e;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return e;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) e.output.append(buf, n);
    int st = ::pclose(p);
    e.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return e;
  };
  Exit good = run("");
  EXPECT_EQ(good.status, 0) << good.output;
  EXPECT_EQ(good.output, "ok\n");
  // The script checks the server's proof: a corrupted one makes it refuse the server.
  Exit bad = run(" --bad-server-proof");
  EXPECT_EQ(bad.status, 3) << bad.output;
  auto ctl = authed_unix(server);
  EXPECT_EQ(ctl.call({"DICT.GET", "interop", "k"}).str, "v");
}

TEST(Security, RedisCliWithTheKeyOverLoopback) {
  if (std::system("command -v redis-cli >/dev/null 2>&1") != 0) GTEST_SKIP() << "no redis-cli";
  auto server = keyed_server();
  std::string base = "timeout 20 redis-cli -h 127.0.0.1 -p " + std::to_string(server.tcp_port());
  if (server.tls()) base += " --tls --cacert '" + test_certs().ca_cert + "'";
  auto out = [](const std::string& cmd) {
    std::string text;
    if (FILE* p = ::popen((cmd + " 2>&1").c_str(), "r")) {
      char buf[4096];
      while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) text.append(buf, n);
      ::pclose(p);
    }
    return text;
  };
  EXPECT_NE(out(base + " DICT.SET d k v").find("NOAUTH"), std::string::npos);
  EXPECT_EQ(out(base + " -a '" + kKey + "' --no-auth-warning DICT.SET d k v"), "1\n");
  EXPECT_EQ(out(base + " -a '" + kKey + "' --no-auth-warning DICT.GET d k"), "v\n");
}

// ---------------------------------------------------------------------------
// Plain AUTH on a network address, protected mode, the key file

TEST(Security, PlainAuthRefusedOnANetworkAddress) {
  if (tls_mode()) GTEST_SKIP() << "plain TCP only (TLS: Tls.PlainAuthAcceptedOnANetworkAddress)";
  // The server sees this machine's own non-loopback address as a network peer.
  auto addr = non_loopback_ipv4();
  if (!addr) GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
  auto server = keyed_server({"--tcp", *addr + ":0"});
  int port = second_tcp_port(server);
  ASSERT_GT(port, 0);
  auto c = RawClient::tcp(port, *addr);
  Reply r = c.call({"AUTH", kKey});
  EXPECT_TRUE(is_error(r, "ERR"));
  EXPECT_EQ(r.error_message(), "plaintext AUTH refused on a network address; use AUTH.CHALLENGE");
  r = c.call({"HELLO", "3", "AUTH", "default", kKey});
  EXPECT_EQ(r.error_message(), "plaintext AUTH refused on a network address; use AUTH.CHALLENGE");
  EXPECT_TRUE(is_error(c.call({"OBJECTS"}), "NOAUTH"));
  // The challenge-response works there.
  std::string ns = challenge(c), nc = auth::random_nonce_hex();
  EXPECT_EQ(c.call({"AUTH.PROVE", auth::client_proof(kKey, ns, nc), nc}).str,
            auth::server_proof(kKey, nc, ns));
  EXPECT_EQ(c.call({"OBJECTS"}).type, Reply::Type::array);
}

TEST(Security, ProtectedModeRefusesANetworkAddressWithoutAKey) {
  if (tls_mode()) GTEST_SKIP() << "plain TCP only (TLS: Tls.ProtectedMode*)";
  std::string sock = temp_path("sock");
  Exit e = run_server_to_exit({"--unix", sock, "--tcp", "0.0.0.0:0"});
  ::unlink(sock.c_str());
  EXPECT_NE(e.status, 0) << e.output;
  EXPECT_NE(e.output.find("authkey"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("--authkey-file"), std::string::npos) << e.output;
  // With a key the same address is fine.
  auto keyed = keyed_server({"--tcp", "0.0.0.0:0"});
  EXPECT_GT(second_tcp_port(keyed), 0);
}

TEST(Security, AuthkeyFileMustBePrivate) {
  std::string open_file = write_key_file("sekrit-0123456789\n", 0644);
  Exit e =
      run_server_to_exit({"--unix", temp_path("sock"), "--no-tcp", "--authkey-file", open_file});
  EXPECT_NE(e.status, 0);
  EXPECT_NE(e.output.find("too open"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("chmod 600"), std::string::npos) << e.output;
  ::unlink(open_file.c_str());

  e = run_server_to_exit(
      {"--unix", temp_path("sock"), "--no-tcp", "--authkey-file", "/nonexistent/procshare-key"});
  EXPECT_NE(e.status, 0);
  EXPECT_NE(e.output.find("/nonexistent/procshare-key"), std::string::npos) << e.output;

  // 0600 is accepted; one trailing newline is the editor's and is stripped, once.
  for (auto [contents, key] : std::vector<std::pair<std::string, std::string>>{
           {"sekrit-0123456789\n", "sekrit-0123456789"},
           {"sekrit-0123456789", "sekrit-0123456789"},
           {"sekrit-0123456789\n\n", "sekrit-0123456789\n"}}) {
    std::string path = write_key_file(contents, 0600);
    ServerProcess::Options o;
    o.tcp = false;
    o.args = {"--authkey-file", path};
    ServerProcess server(o);
    auto c = RawClient::unix_socket(server.unix_path());
    EXPECT_TRUE(is_error(c.call({"OBJECTS"}), "NOAUTH"));
    if (key != "sekrit-0123456789") {
      EXPECT_TRUE(is_error(c.call({"AUTH", "sekrit-0123456789"}), "WRONGPASS"));
    }
    EXPECT_EQ(c.call({"AUTH", key}).str, "OK") << "file contents '" << contents << "'";
    ::unlink(path.c_str());
  }
}

// ---------------------------------------------------------------------------
// Limits

TEST(Security, MaxClientsRefusesTheRestAndLeaksNothing) {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 1200) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 4096);
    ::setrlimit(RLIMIT_NOFILE, &rl);
  }
  ServerProcess server({.args = {"--maxclients", "100"}});
  int baseline = -1;
  {
    auto ctl = RawClient::unix_socket(server.unix_path());
    // The start-up probes may still be closing.
    ASSERT_TRUE(wait_until([&] { return info_field(ctl, "connected_clients") == 1; }));
    int with_ctl = count_fds(server.pid());
    ctl.close();
    ASSERT_TRUE(wait_until([&] { return count_fds(server.pid()) == with_ctl - 1; }));
    baseline = with_ctl - 1;
  }
  {
    std::vector<RawClient> clients;
    clients.reserve(1000);
    for (int i = 0; i < 1000; ++i) clients.push_back(RawClient::tcp(server.tcp_port()));
    // Accepted in order: the 101st and later are told why, then closed.
    for (int i = 100; i < 1000; ++i) {
      Reply r = clients[i].read();
      ASSERT_TRUE(is_error(r, "LIMIT")) << "client " << i;
      ASSERT_TRUE(clients[i].closed_by_peer()) << "client " << i;
    }
    for (int i = 0; i < 100; ++i) {
      ASSERT_EQ(clients[i].call({"PING", std::to_string(i)}).str, std::to_string(i));
    }
    EXPECT_EQ(info_field(clients[0], "connected_clients"), 100);
    EXPECT_EQ(info_field(clients[0], "rejected_connections"), 900);
  }
  // Everything closed: the server is back to its file descriptors before.
  EXPECT_TRUE(wait_until([&] { return count_fds(server.pid()) == baseline; }))
      << count_fds(server.pid()) << " fds, baseline " << baseline;
  auto again = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(again.call({"PING"}).str, "PONG");
}

TEST(Security, ReaderThatNeverReadsIsCutOff) {
  ServerProcess server({.args = {"--max-output-buffer", "1mb"}});
  auto ctl = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(ctl.call({"VALUE.SET", "big", std::string(256 * 1024, 'x')}).str, "OK");
  std::size_t rss_before = rss_bytes(server.pid());

  auto lazy = RawClient::tcp(server.tcp_port());
  std::string batch;
  for (int i = 0; i < 400; ++i) batch += frame({"VALUE.GET", "big"});  // 100 MB of replies
  try {
    lazy.send_raw(batch);
  } catch (const std::exception&) {
    // The server may have cut it off before it finished sending: that is the point.
  }
  ASSERT_TRUE(wait_until([&] { return info_field(ctl, "output_buffer_disconnects") == 1; }));
  EXPECT_TRUE(lazy.closed_by_peer());
  EXPECT_LT(rss_bytes(server.pid()), rss_before + 32u * 1024 * 1024);
  // Others are served as before.
  EXPECT_EQ(ctl.call({"VALUE.GET", "big"}).str.size(), 256u * 1024);
  EXPECT_EQ(info_field(ctl, "connected_clients"), 1);

  // Replies that stay under the limit are all delivered to a client that
  // reads them later.
  auto later = RawClient::tcp(server.tcp_port());
  later.send_raw(frame({"VALUE.GET", "big"}) + frame({"VALUE.GET", "big"}) +
                 frame({"VALUE.GET", "big"}));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(later.read().str.size(), 256u * 1024);
  EXPECT_EQ(info_field(ctl, "output_buffer_disconnects"), 1);
}

TEST(Security, HalfClosedClientStillGetsEveryReply) {
  // `nc -N` and shell pipes send everything, shut their side down, then read.
  ServerProcess server;
  auto c = RawClient::tcp(server.tcp_port());
  ASSERT_EQ(c.call({"VALUE.SET", "big", std::string(512 * 1024, 'h')}).str, "OK");
  std::string batch;
  for (int i = 0; i < 16; ++i) batch += frame({"VALUE.GET", "big"});  // 8 MB of replies
  c.send_raw(batch);
  ASSERT_EQ(::shutdown(c.fd(), SHUT_WR), 0);
  for (int i = 0; i < 16; ++i) ASSERT_EQ(c.read().str.size(), 512u * 1024) << "reply " << i;
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(Security, SlowlorisDoesNotDelayOthers) {
  ServerProcess server;
  const std::string request = frame({"PING"});  // 14 bytes: 1.4 s of dribbling
  std::vector<RawClient> slow;
  for (int i = 0; i < 10; ++i) slow.push_back(RawClient::tcp(server.tcp_port()));
  std::atomic<bool> done{false};
  std::thread dribbler([&] {
    // One byte per client every 100 ms: the pacing is the attack, not a wait.
    for (char ch : request) {
      for (auto& c : slow) c.send_raw(std::string_view(&ch, 1));
      std::this_thread::sleep_for(100ms);
    }
    done = true;
  });
  auto fast = RawClient::tcp(server.tcp_port());
  auto worst = Clock::duration::zero();
  int round_trips = 0;
  auto start = Clock::now();
  while (!done && Clock::now() - start < 10s) {
    auto t0 = Clock::now();
    Reply r = fast.call({"PING"});
    worst = std::max(worst, Clock::now() - t0);
    ASSERT_EQ(r.str, "PONG");
    ++round_trips;
  }
  dribbler.join();
  EXPECT_LE(Clock::now() - start, 3s);
  // A server that waited for the dribbled requests would stall for over a
  // second; the bounds are loose for loaded machines and sanitizers.
  EXPECT_GT(round_trips, 100);
  EXPECT_LT(worst, 500ms) << "worst PING round trip while the slowloris dribbled";
  for (auto& c : slow) EXPECT_EQ(c.read().str, "PONG");
}

TEST(Security, IdleClientsAreClosed) {
  ServerProcess server({.args = {"--idle-timeout", "1"}});
  auto idle = RawClient::tcp(server.tcp_port());
  ASSERT_EQ(idle.call({"PING"}).str, "PONG");
  // A parked client is waiting for the server, not idle.
  auto parked = RawClient::unix_socket(server.unix_path());
  parked.send({"QUEUE.GET", "q", "TIMEOUT", "2.5"});
  auto t0 = Clock::now();
  EXPECT_TRUE(idle.closed_by_peer(10s));
  EXPECT_LT(Clock::now() - t0, 5s);
  EXPECT_TRUE(is_error(parked.read(10s), "EMPTY"));
  EXPECT_GE(Clock::now() - t0, 2s);
  auto ctl = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(info_field(ctl, "idle_disconnects"), 1);
}

// ---------------------------------------------------------------------------
// Hostile input

// Sends `bytes` on a fresh connection; expects a protocol error and the close.
void expect_protocol_error_and_close(const ServerProcess& s, const std::string& bytes,
                                     const std::string& what, bool tcp = false) {
  SCOPED_TRACE(what);
  auto c = tcp ? RawClient::tcp(s.tcp_port()) : RawClient::unix_socket(s.unix_path());
  try {
    c.send_raw(bytes);
  } catch (const std::exception&) {
    // Closed while we were still sending: the reply is read below.
  }
  Reply r;
  try {
    r = c.read();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "no reply: " << e.what();
    return;
  }
  EXPECT_TRUE(is_protocol_error(r));
  EXPECT_TRUE(c.closed_by_peer());
}

TEST(Security, HostileFramesGetProtocolErrorsAndTheServerStaysSmall) {
  ServerProcess server;
  auto ctl = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(ctl.call({"PING"}).str, "PONG");
  [[maybe_unused]] std::size_t rss_before = rss_bytes(server.pid());
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "*1\r\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"oversized bulk", "*2\r\n$4\r\nECHO\r\n$9999999999\r\n"},
      {"bulk one past 512 MiB", "*2\r\n$4\r\nECHO\r\n$536870913\r\n"},
      {"huge array count", "*9999999999\r\n"},
      {"array one past the limit", "*1048577\r\n"},
      {"array count overflow", "*99999999999999999999999\r\n"},
      {"deep nesting", deep},
      {"non-bulk element", "*2\r\n:1\r\n:2\r\n"},
      {"negative bulk", "*1\r\n$-3\r\n"},
      {"bulk without its CRLF", "*2\r\n$4\r\nECHO\r\n$2\r\nabXY"},
      {"bad array count", "*abc\r\n"},
      {"inline over 64 KiB", std::string(70 * 1024, 'A')},
      {"unbalanced quotes", "ECHO \"abc\r\n"},
  };
  for (const auto& [what, bytes] : cases) {
    expect_protocol_error_and_close(server, bytes, what);
    ASSERT_EQ(ctl.call({"PING"}).str, "PONG") << "after " << what;
  }
  // 10 MB of seeded random bytes, on connection after connection as each is
  // closed, half of them starting like a multibulk request.
  std::mt19937_64 rng(20240601);
  std::size_t sent = 0;
  int connections = 0;
  while (sent < 10u * 1024 * 1024 && connections < 20000) {
    auto c = RawClient::tcp(server.tcp_port());
    ++connections;
    std::string chunk(64 * 1024, '\0');
    for (auto& ch : chunk) ch = static_cast<char>(rng());
    if (connections % 2) chunk[0] = '*';
    try {
      while (sent < 10u * 1024 * 1024) {
        c.send_raw(chunk);
        sent += chunk.size();
        c.read_raw(0ms);  // drop replies so the server never waits on us
        for (auto& ch : chunk) ch = static_cast<char>(rng());
      }
    } catch (const std::exception&) {
      // closed by the server: go on with a fresh connection
    }
  }
  EXPECT_GE(sent, 10u * 1024 * 1024);
  EXPECT_EQ(ctl.call({"PING"}).str, "PONG");
  EXPECT_GE(info_field(ctl, "protocol_errors"), static_cast<long>(cases.size()));
  EXPECT_TRUE(wait_until([&] { return info_field(ctl, "connected_clients") == 1; }));
#if !defined(__SANITIZE_ADDRESS__)  // ASan's quarantine keeps freed memory resident
  EXPECT_LT(rss_bytes(server.pid()), rss_before + 32u * 1024 * 1024);
#endif
}

TEST(Security, PreAuthLimitsOnAKeyedServer) {
  auto server = keyed_server();
  auto ctl = authed_unix(server);
  // PING with a message of n bytes: 24 bytes of framing around it at these sizes.
  auto framed_ping = [](std::size_t n) {
    return "*2\r\n$4\r\nPING\r\n$" + std::to_string(n) + "\r\n" + std::string(n, 'p') + "\r\n";
  };
  {
    // Exactly 16 KiB as sent, framing included: accepted.
    auto c = RawClient::tcp(server.tcp_port());
    std::string f = framed_ping(16384 - 24);
    ASSERT_EQ(f.size(), 16384u);
    c.send_raw(f);
    EXPECT_EQ(c.read().str, std::string(16384 - 24, 'p'));
    // Ten elements are accepted (PING's arity error is an ordinary error).
    std::vector<std::string> ten(10, "x");
    ten[0] = "PING";
    EXPECT_TRUE(is_error(c.call(ten), "ERR"));
    EXPECT_EQ(c.call({"PING"}).str, "PONG");
  }
  expect_protocol_error_and_close(server, framed_ping(16384 - 23), "request of 16 KiB + 1", true);
  expect_protocol_error_and_close(server, frame(std::vector<std::string>(11, "PING")),
                                  "eleven elements", true);
  expect_protocol_error_and_close(server, "*2\r\n$4\r\nPING\r\n$20000\r\n", "bulk over 16 KiB",
                                  true);
  expect_protocol_error_and_close(
      server, frame({"PING", std::string(8200, 'a'), std::string(8200, 'b'), "c"}),
      "small bulks adding up past 16 KiB", true);
  expect_protocol_error_and_close(server, "PING " + std::string(17 * 1024, 'a'),
                                  "inline over 16 KiB", true);
  EXPECT_EQ(info_field(ctl, "preauth_limit_refusals"), 5);
  // Once authenticated, the ordinary limits apply.
  auto c = RawClient::tcp(server.tcp_port());
  EXPECT_EQ(c.call({"AUTH", kKey}).str, "OK");
  std::vector<std::string> many(50, "m");
  many[0] = "SET.ADD";
  many[1] = "s";
  EXPECT_EQ(c.call(many).integer, 1);
  EXPECT_EQ(c.call({"ECHO", std::string(1 << 20, 'e')}).str.size(), 1u << 20);
}

TEST(Security, PreAuthLimitsAreConfigurable) {
  auto server = keyed_server({"--preauth-max-request", "64", "--preauth-max-array", "3"});
  auto ctl = authed_unix(server);
  {
    auto c = RawClient::tcp(server.tcp_port());
    EXPECT_TRUE(is_error(c.call({"ECHO", "a", "b"}), "ERR"));  // 3 elements: allowed
    EXPECT_EQ(c.call({"PING", std::string(30, 'p')}).str, std::string(30, 'p'));
  }
  expect_protocol_error_and_close(server, frame({"ECHO", "a", "b", "c"}), "four elements", true);
  expect_protocol_error_and_close(server, frame({"PING", std::string(60, 'p')}),
                                  "request over 64 bytes", true);
  EXPECT_EQ(info_field(ctl, "preauth_max_request"), 64);
  EXPECT_EQ(info_field(ctl, "preauth_max_array"), 3);
}

}  // namespace
}  // namespace procshare::test

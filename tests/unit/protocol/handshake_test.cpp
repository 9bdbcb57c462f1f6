// The authkey handshake (PROTOCOL.md §4): HMAC known answers, the two proofs,
// the constant-time comparison, nonce checks and key files.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <set>
#include <string>

#include "procshare/protocol/handshake.hpp"

namespace procshare::protocol::auth {
namespace {

using namespace std::string_literals;

TEST(Handshake, HmacSha256KnownAnswers) {
  // RFC 4231, test case 2.
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac_sha256_hex("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(Handshake, ProofsKnownAnswers) {
  // Computed independently with Python's hmac module.
  const std::string ns(64, 'a');
  const std::string nc = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  EXPECT_EQ(client_proof("secret key", ns, nc),
            "809b9a983e7133fdb70d7ff0f988871f9255b0c2a3891829584e1701bd62a6b6");
  EXPECT_EQ(server_proof("secret key", nc, ns),
            "3b3f3bd6d1d34000eef44555e0479b52b7107b268a1d88096ffa3aaa11c2100a");
  EXPECT_EQ(client_proof("k", ns, nc), hmac_sha256_hex("k", "procshare-client" + ns + nc));
  EXPECT_EQ(server_proof("k", nc, ns), hmac_sha256_hex("k", "procshare-server" + nc + ns));
}

TEST(Handshake, ClientAndServerAgree) {
  const std::string key = "binary\0key\n"s;
  // Server issues Ns; client answers with its proof and Nc.
  const std::string ns = random_nonce_hex();
  const std::string nc = random_nonce_hex();
  const std::string proof = client_proof(key, ns, nc);
  // Server side: recompute and compare.
  EXPECT_TRUE(equal_constant_time(proof, client_proof(key, ns, nc)));
  const std::string answer = server_proof(key, nc, ns);
  // Client side: check the server knows the key too.
  EXPECT_TRUE(equal_constant_time(answer, server_proof(key, nc, ns)));
  // The directions differ, so neither proof can be reflected as the other.
  EXPECT_NE(proof, answer);
  EXPECT_NE(client_proof(key, ns, nc), server_proof(key, ns, nc));
  // Any other key, or nonce, gives another proof.
  EXPECT_NE(proof, client_proof("binary\0key"s, ns, nc));
  EXPECT_NE(proof, client_proof(key, nc, ns));
  EXPECT_NE(proof, client_proof(key, random_nonce_hex(), nc));
  EXPECT_TRUE(is_nonce_hex(proof));  // 64 lowercase hex chars, like a nonce
}

TEST(Handshake, RandomNonces) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string n = random_nonce_hex();
    EXPECT_EQ(n.size(), kNonceHexChars);
    EXPECT_TRUE(is_nonce_hex(n)) << n;
    seen.insert(n);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(Handshake, EqualConstantTime) {
  EXPECT_TRUE(equal_constant_time("", ""));
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_TRUE(equal_constant_time("a\0b"s, "a\0b"s));
  EXPECT_FALSE(equal_constant_time("a\0b"s, "a\0c"s));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "ab"));
  EXPECT_FALSE(equal_constant_time("", "a"));
}

TEST(Handshake, IsNonceHex) {
  EXPECT_TRUE(is_nonce_hex(std::string(64, '0')));
  EXPECT_TRUE(is_nonce_hex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(is_nonce_hex(std::string(63, 'a')));
  EXPECT_FALSE(is_nonce_hex(std::string(65, 'a')));
  EXPECT_FALSE(is_nonce_hex(""));
  EXPECT_FALSE(is_nonce_hex(std::string(63, 'a') + "A"));  // lowercase only
  EXPECT_FALSE(is_nonce_hex(std::string(63, 'a') + "g"));
  EXPECT_FALSE(is_nonce_hex(std::string(63, 'a') + "\0"s));
}

TEST(Handshake, ToHex) {
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(to_hex("\x00\x01\xab\xff"s), "0001abff");
}

class KeyFile : public testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/procshare-keyfile-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    ::close(fd);
    path_ = tmpl;
  }
  void TearDown() override { std::remove(path_.c_str()); }
  void write(const std::string& contents) {
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::fwrite(contents.data(), 1, contents.size(), f);
    std::fclose(f);
  }
  std::optional<std::string> read() {
    std::string error = "untouched";
    auto key = read_key_file(path_, &error);
    if (key) {
      EXPECT_EQ(error, "untouched");
    }
    return key;
  }
  std::string path_;
};

TEST_F(KeyFile, RemovesOneTrailingNewline) {
  write("s3cret\n");
  EXPECT_EQ(read(), "s3cret");
  write("s3cret\r\n");
  EXPECT_EQ(read(), "s3cret");
  write("s3cret\n\n");
  EXPECT_EQ(read(), "s3cret\n");  // once only
  write("s3cret\r\n\r\n");
  EXPECT_EQ(read(), "s3cret\r\n");
  write("s3cret");
  EXPECT_EQ(read(), "s3cret");
  write("s3cret\r");
  EXPECT_EQ(read(), "s3cret\r");  // a lone CR is part of the key
  write("\n");
  EXPECT_EQ(read(), "");
  write("");
  EXPECT_EQ(read(), "");
}

TEST_F(KeyFile, BinaryAndLargeContents) {
  const std::string key = "a\0b\xff\n middle\n"s + std::string(10000, 'k');
  write(key + "\n");
  EXPECT_EQ(read(), key);
}

TEST_F(KeyFile, Unreadable) {
  std::string error;
  EXPECT_EQ(read_key_file(path_ + ".missing", &error), std::nullopt);
  EXPECT_NE(error.find(path_ + ".missing"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
  EXPECT_EQ(read_key_file("/tmp", &error), std::nullopt);  // a directory
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(read_key_file(path_ + ".missing", nullptr), std::nullopt);
}

}  // namespace
}  // namespace procshare::protocol::auth

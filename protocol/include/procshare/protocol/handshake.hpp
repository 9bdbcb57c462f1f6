#pragma once
// The authkey challenge-response of PROTOCOL.md §4, shared by the server and
// every client. Sans-I/O: pure functions over bytes. HMAC-SHA256, the random
// nonces and the constant-time comparison come from OpenSSL's libcrypto.
#include <optional>
#include <string>
#include <string_view>

namespace procshare::protocol::auth {

inline constexpr std::size_t kNonceBytes = 32;
inline constexpr std::size_t kNonceHexChars = 64;

// 32 fresh random bytes from OpenSSL's CSPRNG, as 64 lowercase hex characters.
std::string random_nonce_hex();

// hex(HMAC-SHA256(key, message)): the primitive under both proofs.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// hex(HMAC-SHA256(key, "procshare-client" || server_nonce || client_nonce))
std::string client_proof(std::string_view key, std::string_view server_nonce,
                         std::string_view client_nonce);
// hex(HMAC-SHA256(key, "procshare-server" || client_nonce || server_nonce))
std::string server_proof(std::string_view key, std::string_view client_nonce,
                         std::string_view server_nonce);

// Constant-time equality (CRYPTO_memcmp); false when the sizes differ.
bool equal_constant_time(std::string_view a, std::string_view b);

// True for exactly 64 lowercase hex characters.
bool is_nonce_hex(std::string_view s);

std::string to_hex(std::string_view bytes);

// Reads an authkey file as §4 says: the contents with one trailing newline
// removed. Returns nullopt and sets *error when it cannot be read.
std::optional<std::string> read_key_file(const std::string& path, std::string* error);

// The shortest authkey a server accepts (issue 12): 16 bytes, so that a key
// cannot be guessed online, however fast the guessing.
inline constexpr std::size_t kMinKeyBytes = 16;
// Why `key` cannot be an authkey (empty, shorter than kMinKeyBytes), in
// words for a user, naming where it came from (`origin`: "--authkey-file k",
// "PROCSHARE_AUTHKEY"); empty when it can.
std::string key_problem(std::string_view key, std::string_view origin);
// A fresh random key: 32 bytes of OpenSSL's CSPRNG as 64 hex characters.
std::string random_key_text();

}  // namespace procshare::protocol::auth

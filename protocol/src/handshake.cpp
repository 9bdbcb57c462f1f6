// The authkey challenge-response of PROTOCOL.md §4, over OpenSSL's libcrypto.
//
// The proofs bind both nonces and a direction label ("procshare-client" /
// "procshare-server"), so a proof can be replayed neither to another challenge
// nor reflected back as the other side's answer. Nonces enter the MAC as their
// hex text, exactly as they travel on the wire, so every implementation
// computes the same bytes without decoding anything.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "procshare/protocol/handshake.hpp"

namespace procshare::protocol::auth {
namespace {

std::string mac_of(std::string_view key, std::string_view label, std::string_view first,
                   std::string_view second) {
  std::string message;
  message.reserve(label.size() + first.size() + second.size());
  message.append(label).append(first).append(second);
  return hmac_sha256_hex(key, message);
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  if (key.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("authkey too long");
  }
  // A non-null pointer even for an empty key: some OpenSSL 3 versions refuse
  // a null key of length 0.
  static const unsigned char empty_key = 0;
  const void* key_ptr = key.empty() ? static_cast<const void*>(&empty_key) : key.data();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), md,
           &md_len) == nullptr) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return to_hex({reinterpret_cast<const char*>(md), md_len});
}

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = digits[b >> 4];
    out[2 * i + 1] = digits[b & 15];
  }
  return out;
}

std::string random_nonce_hex() {
  unsigned char bytes[kNonceBytes];
  // A failing CSPRNG is not something to paper over: no nonce, no handshake.
  if (RAND_bytes(bytes, static_cast<int>(sizeof bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return to_hex({reinterpret_cast<const char*>(bytes), sizeof bytes});
}

std::string client_proof(std::string_view key, std::string_view server_nonce,
                         std::string_view client_nonce) {
  return mac_of(key, "procshare-client", server_nonce, client_nonce);
}

std::string server_proof(std::string_view key, std::string_view client_nonce,
                         std::string_view server_nonce) {
  return mac_of(key, "procshare-server", client_nonce, server_nonce);
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  // The sizes are public (a proof is always 64 chars); only the contents are secret.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool is_nonce_hex(std::string_view s) {
  if (s.size() != kNonceHexChars) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::optional<std::string> read_key_file(const std::string& path, std::string* error) {
  auto set_error = [&](int err) {
    if (error != nullptr) {
      *error = "cannot read authkey file " + path + ": " + std::strerror(err);
    }
  };
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    set_error(errno);
    return std::nullopt;
  }
  std::string key;
  char buf[4096];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f);
    key.append(buf, n);
    if (n < sizeof buf) break;
  }
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) {
    set_error(err != 0 ? err : EIO);
    return std::nullopt;
  }
  // One line ending is the editor's, not the key's: remove exactly one.
  if (!key.empty() && key.back() == '\n') {
    key.pop_back();
    if (!key.empty() && key.back() == '\r') key.pop_back();
  }
  return key;
}

std::string key_problem(std::string_view key, std::string_view origin) {
  if (key.empty()) {
    return std::string(origin) +
           ": the key is empty (unset the variable or give a key of at least 16 bytes, e.g. "
           "made by procshare-server --gen-authkey FILE)";
  }
  if (key.size() < kMinKeyBytes) {
    return std::string(origin) + ": the key is " + std::to_string(key.size()) +
           " bytes; at least " + std::to_string(kMinKeyBytes) +
           " are needed (procshare-server --gen-authkey FILE makes one)";
  }
  return {};
}

std::string random_key_text() {
  return random_nonce_hex();
}

}  // namespace procshare::protocol::auth

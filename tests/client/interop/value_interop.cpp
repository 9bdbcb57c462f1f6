// The C++ half of the Python <-> C++ value interop test
// (tests/python/test_interop.py): plain values in one shared dict, written
// and read through the C++ client's typed proxies. Key "k<i>" holds case i of
// tests/fixtures/value_encoding.json; the cases' "cpp" field ("int64 -7",
// "double 1.5", "string hello", "bytes ff00") says how C++ takes part.
//
//   value_interop write ADDRESS DICT TYPE VALUE KEY   (one value, typed)
//   value_interop read  ADDRESS DICT TYPE KEY         (prints it as "TYPE value")
//
// The key comes from env PROCSHARE_AUTHKEY.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "procshare/procshare.hpp"

namespace {

std::vector<std::byte> from_hex(const std::string& hex) {
  std::vector<std::byte> out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::byte>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string to_hex(const std::vector<std::byte>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::byte b : bytes) {
    out += digits[std::to_integer<int>(b) >> 4];
    out += digits[std::to_integer<int>(b) & 15];
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::cerr
        << "usage: value_interop write ADDRESS DICT TYPE VALUE KEY | read ADDRESS DICT TYPE KEY\n";
    return 2;
  }
  const std::string mode = argv[1], dict = argv[3], type = argv[4];
  procshare::ConnectOptions opts;
  if (const char* key = std::getenv("PROCSHARE_AUTHKEY")) opts.authkey = key;
  try {
    auto client = procshare::Client::connect(std::string_view(argv[2]), opts);
    if (mode == "write" && argc == 7) {
      const std::string value = argv[5], key = argv[6];
      if (type == "int64") {
        client.dict<std::string, std::int64_t>(dict).set(key, std::stoll(value));
      } else if (type == "double") {
        client.dict<std::string, double>(dict).set(key, std::stod(value));
      } else if (type == "string") {
        client.dict<std::string, std::string>(dict).set(key, value);
      } else if (type == "bytes") {
        client.dict<std::string, std::vector<std::byte>>(dict).set(key, from_hex(value));
      } else {
        std::cerr << "unknown type " << type << "\n";
        return 2;
      }
      return 0;
    }
    if (mode == "read") {
      const std::string key = argv[5];
      std::cout << type << " ";
      if (type == "int64") {
        std::cout << client.dict<std::string, std::int64_t>(dict).at(key);
      } else if (type == "double") {
        std::cout << client.dict<std::string, double>(dict).at(key);
      } else if (type == "string") {
        std::cout << client.dict<std::string, std::string>(dict).at(key);
      } else if (type == "bytes") {
        std::cout << to_hex(client.dict<std::string, std::vector<std::byte>>(dict).at(key));
      } else if (type == "incr") {  // DICT.INCRBY on a value Python wrote
        std::cout << client.dict<std::string, std::int64_t>(dict).incr(key, 1);
      }
      std::cout << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "bad arguments\n";
  return 2;
}

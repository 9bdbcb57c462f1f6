// CliClient: a lazily (re)opened Connection, and one-line failure messages.
#include "cli_client.hpp"

#include <string_view>

#include "procshare/errors.hpp"

namespace procshare::cli {

void CliClient::connect() {
  if (conn_.is_open()) return;
  conn_ = Connection::open(address_, options_);
}

protocol::Reply CliClient::call(const std::vector<std::string>& args) {
  connect();
  std::vector<std::string_view> views(args.begin(), args.end());
  try {
    return conn_.call(views);
  } catch (...) {
    conn_.close();  // a reply stream cut mid-way cannot be trusted again
    throw;
  }
}

std::string failure_line(const std::exception& e, const Address& address) {
  if (const auto* ce = dynamic_cast<const ConnectionError*>(&e)) {
    // The library names the address in connect failures; not in later ones.
    const std::string& m = ce->message();
    if (m.find(address.to_string()) != std::string::npos) return m;
    return address.to_string() + ": " + m;
  }
  if (const auto* ae = dynamic_cast<const AuthError*>(&e)) {
    // Our own key file, not the server, is the problem: say only that.
    if (ae->message().starts_with("cannot read authkey file") ||
        ae->message().starts_with("PROCSHARE_AUTHKEY")) {
      return ae->message();
    }
    return address.to_string() + ": authentication failed: " + ae->message();
  }
  return address.to_string() + ": " + e.what();
}

}  // namespace procshare::cli

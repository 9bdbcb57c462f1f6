// A client on another machine. Run with an address and a key to connect to
// a server over TCP:
//
//   PROCSHARE_AUTHKEY=a-secret-of-16-bytes-or-more ./tcp_client tcp://server.example:7379
//
// (the server was started with `PROCSHARE_AUTHKEY=a-secret-of-16-bytes-or-more
// procshare-server --tcp 0.0.0.0:7379`, a key of at least 16 bytes; the key
// never crosses the wire, and the client checks that the server knows it
// too). Without arguments it plays both sides: a
// Manager listening on loopback TCP, and a separate process that knows only
// the address and the key — exactly what a remote machine would know.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

namespace {

int remote_client(const std::string& address, const std::string& key) {
  procshare::ConnectOptions options;
  options.authkey.emplace(key);  // or leave unset to read env PROCSHARE_AUTHKEY
  auto client = procshare::Client::connect(address, options);
  auto visits = client.dict<std::string, long>("visits");
  long total = visits.incr("remote");  // one atomic DICT.INCRBY
  std::printf("remote client at %s: visit number %ld\n", address.c_str(), total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc > 1) {
      const char* key = std::getenv("PROCSHARE_AUTHKEY");
      return remote_client(argv[1], key ? key : "");
    }
    procshare::ManagerOptions options;
    options.tcp = "127.0.0.1:0";  // any free port
    procshare::Manager manager(options);
    std::string address = manager.tcp_address()->to_string();
    std::string key = manager.authkey();
    for (int i = 0; i < 2; ++i) {
      if (fork() == 0) _exit(remote_client(address, key));
      wait(nullptr);
    }
    long visits = manager.dict<std::string, long>("visits")["remote"];
    std::printf("the server counted %ld remote visits\n", visits);

    // A client with the wrong key is refused before it can do anything.
    procshare::ConnectOptions wrong;
    wrong.authkey = "wrong key";
    try {
      procshare::Client::connect(address, wrong);
      return 1;
    } catch (const procshare::AuthError& e) {
      std::printf("wrong key refused: %s\n", e.what());
    }
    return visits == 2 ? 0 : 1;
  } catch (const procshare::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}

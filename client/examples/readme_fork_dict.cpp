// The first example of docs/cpp-client.md: four forked processes add 1 a
// thousand times each to one entry of a Dict<std::string, long>.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

int main() {
  procshare::Manager manager;  // starts a private server; stops it at scope exit
  auto totals = manager.dict<std::string, long>("totals");

  for (int child = 0; child < 4; ++child) {
    if (fork() == 0) {  // each child gets its own connection on first use
      for (int i = 0; i < 1000; ++i) totals["hits"] += 1;  // atomic on the server
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  for (const auto& [key, value] : totals.items()) std::printf("%s = %ld\n", key.c_str(), value);
  return totals["hits"] == 4000 ? 0 : 1;  // prints hits = 4000
}

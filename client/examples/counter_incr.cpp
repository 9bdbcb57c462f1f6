// The counter example: three processes add 1 five times each to one shared
// value, data["count"].
// `data["count"] += 1` is one DICT.INCRBY on the server, so no update is
// lost: the total is exactly 15. (Python's `shared_dict[key] += 1` is a
// get and a set, and loses updates without a lock.)
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

int main() {
  procshare::Manager manager;
  auto data = manager.dict<std::string, long>("data");
  data["count"] = 0;
  for (int w = 0; w < 3; ++w) {
    if (fork() == 0) {
      for (int i = 0; i < 5; ++i) data["count"] += 1;
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  long count = data["count"];
  std::printf("{'count': %ld}\n", count);  // {'count': 15}
  return count == 15 ? 0 : 1;
}

// The counter example (counter_incr.cpp) as Python would write it
// correctly: the read and the write of `count` happen under a shared Lock,
// so the total is exactly 15.
// procshare::Lock is Lockable: std::lock_guard works.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <procshare/procshare.hpp>

int main() {
  procshare::Manager manager;
  auto data = manager.dict<std::string, long>("data");
  auto lock = manager.lock("count-lock");
  data["count"] = 0;
  for (int w = 0; w < 3; ++w) {
    if (fork() == 0) {
      for (int i = 0; i < 5; ++i) {
        std::lock_guard guard(lock);
        long count = data["count"];
        data["count"] = count + 1;
      }
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  long count = data["count"];
  std::printf("{'count': %ld}\n", count);  // {'count': 15}
  return count == 15 ? 0 : 1;
}

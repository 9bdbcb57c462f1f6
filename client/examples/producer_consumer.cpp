// Passing messages through a shared Queue. One producer
// process puts ten jobs and a "stop" marker per consumer; two consumer
// processes take jobs until they see "stop" and add up what they did.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

int main() {
  procshare::Manager manager;
  auto jobs = manager.queue<std::string>("jobs", {.maxsize = 4});  // put() waits when full
  auto done = manager.value<long>("done");
  constexpr int kConsumers = 2;
  for (int c = 0; c < kConsumers; ++c) {
    if (fork() == 0) {
      for (;;) {
        std::string job = jobs.get();  // parks this process, not the server
        if (job == "stop") break;
        done += std::stol(job.substr(4));
      }
      _exit(0);
    }
  }
  if (fork() == 0) {  // the producer
    for (int i = 1; i <= 10; ++i) jobs.put("job " + std::to_string(i));
    for (int c = 0; c < kConsumers; ++c) jobs.put("stop");
    _exit(0);
  }
  while (wait(nullptr) > 0) {
  }
  std::printf("sum of jobs done: %ld\n", done.get());  // 55
  return done.get() == 55 && jobs.empty() ? 0 : 1;
}

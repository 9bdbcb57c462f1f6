// A barrier of workers: four processes each finish phase 1, wait for all
// the others at the barrier, then do phase 2. No worker starts phase 2
// before every worker has finished phase 1.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

int main() {
  constexpr int kWorkers = 4;
  procshare::Manager manager;
  auto barrier = manager.barrier("phase", kWorkers);
  auto phase1 = manager.value<long>("phase1");
  auto violations = manager.value<long>("violations");
  for (int w = 0; w < kWorkers; ++w) {
    if (fork() == 0) {
      phase1 += 1;                          // phase 1
      std::int64_t index = barrier.wait();  // everyone arrives here
      if (phase1.get() != kWorkers) violations += 1;
      std::printf("worker %d passed the barrier (arrival %lld)\n", w,
                  static_cast<long long>(index));
      std::fflush(stdout);  // _exit() does not flush stdio buffers
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  std::printf("phase 1 done by %ld workers, %ld started phase 2 early\n", phase1.get(),
              violations.get());
  return phase1.get() == kWorkers && violations.get() == 0 ? 0 : 1;
}

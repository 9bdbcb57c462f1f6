// manager.Value and manager.Array. A child sets the value and
// squares every element; the parent prints both.
//   Python: num = manager.Value('d', 0.0); arr = manager.Array('i', range(10))
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

int main() {
  procshare::Manager manager;
  auto num = manager.value<double>("num", 0.0);
  auto arr = manager.array<long>("arr", std::vector<long>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  if (fork() == 0) {
    num = 3.1415927;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      auto idx = static_cast<std::int64_t>(i);
      arr[idx] = arr.at(idx) * arr.at(idx);
    }
    _exit(0);
  }
  wait(nullptr);
  std::printf("%.7f\n[", num.get());
  long sum = 0;
  const char* sep = "";
  for (long v : arr.to_vector()) {  // a snapshot, in one command
    std::printf("%s%ld", sep, v);
    sep = ", ";
    sum += v;
  }
  std::printf("]\n");  // [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]
  return sum == 285 && num.get() > 3.14 ? 0 : 1;
}

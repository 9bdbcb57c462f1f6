// The README's C++ quick start: fork, a shared Dict holding a
// std::vector<int> and a struct, iterated and printed.
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>
#include <procshare/procshare.hpp>

struct Job {
  std::string name;
  std::vector<int> steps;
};
PROCSHARE_FIELDS(Job, name, steps)  // one line: Job is now a storable value

int main() {
  procshare::Manager manager;  // starts a private server; stops it at scope exit
  auto squares = manager.dict<int, std::vector<int>>("squares");
  auto jobs = manager.dict<std::string, Job>("jobs");

  for (int child = 0; child < 3; ++child) {
    if (fork() == 0) {  // each child gets its own connection on first use
      squares[child] = {child, child * child};
      jobs["job" + std::to_string(child)] = Job{"resize", {child, 2 * child}};
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  for (const auto& [k, v] : squares) std::cout << k << " -> " << v.size() << " values\n";
  std::cout << squares << "\n";       // {0: [0, 0], 1: [1, 1], 2: [2, 4]} (in the children's order)
  std::cout << jobs["job2"] << "\n";  // {'name': 'resize', 'steps': [2, 4]}
  return squares.size() == 3 && jobs.size() == 3 ? 0 : 1;
}

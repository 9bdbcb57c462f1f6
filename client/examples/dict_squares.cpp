// Processes sharing a dict. Five forked workers each store
// i -> i*i in a Manager's dict; the parent prints it.
//   Python: shared_dict = manager.dict(); Process(target=worker, ...)
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

int main() {
  procshare::Manager manager;
  auto shared = manager.dict<int, int>();  // anonymous, as manager.dict()
  for (int i = 0; i < 5; ++i) {
    if (fork() == 0) {
      shared[i] = i * i;  // this child's own connection, opened on first use
      _exit(0);
    }
  }
  while (wait(nullptr) > 0) {
  }
  std::printf("{");
  const char* sep = "";
  for (auto& [k, v] : shared.copy()) {  // a snapshot as a std::map: sorted by key
    std::printf("%s%d: %d", sep, k, v);
    sep = ", ";
  }
  std::printf("}\n");  // {0: 0, 1: 1, 2: 4, 3: 9, 4: 16}
  return shared.size() == 5 && shared.at(4) == 16 ? 0 : 1;
}

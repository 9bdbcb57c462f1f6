// manager.Namespace(): a bag of attributes shared by processes. A child
// changes x and adds z; the parent prints all three.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <procshare/procshare.hpp>

int main() {
  procshare::Manager manager;
  auto ns = manager.namespace_();
  ns.set("x", 10);
  ns.set("y", std::string("hello"));
  if (fork() == 0) {
    ns.set("x", ns.get<int>("x") + 1);
    ns["z"] = 2.5;
    _exit(0);
  }
  wait(nullptr);
  std::printf("Namespace(x=%d, y='%s', z=%g)\n", ns.get<int>("x"), ns.get<std::string>("y").c_str(),
              ns["z"].as<double>());
  return ns.get<int>("x") == 11 && ns.has("z") ? 0 : 1;
}

// Issue 13's worker pools through the real server, with workers SIGKILLed
// while they hold jobs: every job is acknowledged exactly once, none is
// lost, and the jobs the killed workers held are exactly the redelivered
// ones; a joinable queue's join() returns once every job is acknowledged.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "support/server_process.hpp"

namespace procshare::test {
namespace {

using Clock = std::chrono::steady_clock;

// A worker process. It reports on a pipe, one line per event:
//   "A <job>" after QUEUE.ACK answered :1 for the job;
//   "H <job>" for a job it will hold until it is killed (victims only),
//   then "K" once it holds them all and waits to be killed.
// A victim turns victim after `victim_after` acknowledged jobs (0: never).
struct Worker {
  pid_t pid = -1;
  int from = -1;
  std::string buffer;
  bool killed = false;
  bool done = false;
};

[[noreturn]] void worker_main(const std::string& socket, const std::string& queue, int out,
                              int victim_after, int hold) {
  auto say = [&](const std::string& line) {
    std::string l = line + "\n";
    if (::write(out, l.data(), l.size()) != static_cast<ssize_t>(l.size())) ::_exit(5);
  };
  try {
    auto c = RawClient::unix_socket(socket);
    int acked = 0;
    for (;;) {
      Reply r = c.call({"QUEUE.GET", queue, "TIMEOUT", "0.5", "LEASE", "60"}, 60s);
      if (r.type == Reply::Type::error) {
        if (::getppid() == 1) ::_exit(0);
        continue;  // EMPTY: wait for more, until the parent kills us
      }
      const std::string job = r.elements.at(0).str;
      const std::string id = std::to_string(r.elements.at(1).integer);
      if (victim_after > 0 && acked >= victim_after) {
        say("H " + job);
        for (int i = 1; i < hold; ++i) {
          Reply more = c.call({"QUEUE.GET", queue, "NOWAIT", "LEASE", "60"}, 60s);
          if (more.type == Reply::Type::array) say("H " + more.elements.at(0).str);
        }
        say("K");
        for (;;) ::pause();  // mid-job: the parent kills us here
      }
      Reply a = c.call({"QUEUE.ACK", queue, id}, 60s);
      if (a.integer == 1) {
        say("A " + job);
        ++acked;
      } else {
        say("X " + job);  // an ACK that settled nothing: the test fails
      }
    }
  } catch (...) {
    ::_exit(6);
  }
}

class Pool {
 public:
  Pool(const std::string& socket, const std::string& queue, int workers,
       const std::vector<int>& victim_after, int hold) {
    std::mt19937 rng(12345);
    for (int w = 0; w < workers; ++w) {
      int p[2];
      if (::pipe(p) != 0) throw std::runtime_error("pipe");
      pid_t pid = ::fork();
      if (pid == 0) {
        ::close(p[0]);
        int after = static_cast<std::size_t>(w) < victim_after.size() ? victim_after[w] : 0;
        worker_main(socket, queue, p[1], after, hold);
      }
      ::close(p[1]);
      Worker wk;
      wk.pid = pid;
      wk.from = p[0];
      workers_.push_back(wk);
    }
  }
  ~Pool() {
    for (auto& w : workers_) {
      ::kill(w.pid, SIGKILL);
      ::waitpid(w.pid, nullptr, 0);
      ::close(w.from);
    }
  }

  // Reads the workers' reports until `until` says stop or the deadline.
  // Kills a victim as soon as it says it holds its jobs.
  bool run(const std::function<bool()>& until, std::chrono::seconds limit) {
    auto deadline = Clock::now() + limit;
    while (!until()) {
      if (Clock::now() > deadline) return false;
      std::vector<pollfd> fds;
      for (auto& w : workers_) fds.push_back({w.from, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 200) < 0) return false;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
        char buf[4096];
        ssize_t n = ::read(workers_[i].from, buf, sizeof buf);
        if (n <= 0) continue;
        workers_[i].buffer.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = workers_[i].buffer.find('\n')) != std::string::npos) {
          std::string line = workers_[i].buffer.substr(0, nl);
          workers_[i].buffer.erase(0, nl + 1);
          if (line == "K") {
            ::kill(workers_[i].pid, SIGKILL);
            workers_[i].killed = true;
            ++killed;
          } else if (line.starts_with("A ")) {
            ++acks[line.substr(2)];
          } else if (line.starts_with("H ")) {
            held.push_back(line.substr(2));
          } else {
            bad.push_back(line);
          }
        }
      }
    }
    return true;
  }

  std::map<std::string, int> acks;
  std::vector<std::string> held;  // jobs the killed workers held
  std::vector<std::string> bad;
  int killed = 0;

 private:
  std::vector<Worker> workers_;
};

std::string describe_field(RawClient& c, const std::string& obj, const std::string& key) {
  Reply r = c.call({"DESCRIBE", obj});
  for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) {
    if (r.elements[i].str == key) return std::to_string(r.elements[i + 1].integer);
  }
  return "";
}

TEST(LeasePool, TenProducersTenConsumersThreeKilledEveryJobAckedOnce) {
  ServerProcess server;
  constexpr int kProducers = 10, kEach = 1000, kTotal = kProducers * kEach;
  // Consumers first (fork before any thread of ours exists); three of them
  // turn victim after a few hundred jobs and hold 1-3 jobs when killed.
  Pool pool(server.unix_path(), "jobs", 10, {150, 300, 450}, 3);
  std::atomic<int> put_errors{0};
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      try {
        auto c = RawClient::unix_socket(server.unix_path());
        for (int i = 0; i < kEach; ++i) {
          if (c.call({"QUEUE.PUT", "jobs", std::to_string(p) + ":" + std::to_string(i)}).str !=
              "OK") {
            ++put_errors;
          }
        }
      } catch (...) {
        ++put_errors;
      }
    });
  }
  bool finished =
      pool.run([&] { return pool.acks.size() == static_cast<std::size_t>(kTotal); }, 240s);
  for (auto& t : producers) t.join();
  ASSERT_TRUE(finished) << pool.acks.size() << " of " << kTotal << " jobs acknowledged";
  EXPECT_EQ(put_errors.load(), 0);
  EXPECT_TRUE(pool.bad.empty()) << pool.bad.front();
  EXPECT_EQ(pool.killed, 3);
  for (const auto& [job, n] : pool.acks) EXPECT_EQ(n, 1) << job;
  EXPECT_GE(pool.held.size(), 3u);
  auto c = RawClient::unix_socket(server.unix_path());
  EXPECT_EQ(describe_field(c, "jobs", "redelivered"), std::to_string(pool.held.size()));
  EXPECT_EQ(describe_field(c, "jobs", "inflight"), "0");
  EXPECT_EQ(c.call({"QUEUE.SIZE", "jobs"}).integer, 0);
}

TEST(LeasePool, JoinableQueuePoolWithAKilledWorkerJoins) {
  ServerProcess server;
  constexpr int kJobs = 2000;
  auto c = RawClient::unix_socket(server.unix_path());
  ASSERT_EQ(c.call({"CREATE", "joinablequeue", "tasks"}).str, "OK");
  for (int i = 0; i < kJobs; ++i) c.send({"QUEUE.PUT", "tasks", std::to_string(i)});
  for (int i = 0; i < kJobs; ++i) ASSERT_EQ(c.read().str, "OK");
  Pool pool(server.unix_path(), "tasks", 4, {100}, 1);
  auto joiner = RawClient::unix_socket(server.unix_path());
  joiner.send({"QUEUE.JOIN", "tasks"});
  ASSERT_TRUE(pool.run([&] { return pool.acks.size() == static_cast<std::size_t>(kJobs); }, 120s))
      << pool.acks.size();
  EXPECT_EQ(pool.killed, 1);
  EXPECT_EQ(joiner.read(30s).integer, 1);  // join() returns
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(pool.acks[std::to_string(i)], 1) << i;
  EXPECT_EQ(describe_field(c, "tasks", "unfinished"), "0");
  EXPECT_EQ(describe_field(c, "tasks", "redelivered"), "1");
}

}  // namespace
}  // namespace procshare::test

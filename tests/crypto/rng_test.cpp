// The system generator: every thread and every forked child draws its own stream.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <thread>
#include <vector>

#include "crypto_glue/rng.hpp"

namespace essl::crypto {
namespace {

std::array<uint8_t, 32> draw() {
  std::array<uint8_t, 32> b{};
  system_rng().fill(b);
  return b;
}

TEST(SystemRng, SuccessiveDrawsDiffer) {
  std::set<std::array<uint8_t, 32>> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(draw()).second);
}

TEST(SystemRng, ThreadsDrawDifferentStreams) {
  std::vector<std::array<uint8_t, 32>> out(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < out.size(); ++i) threads.emplace_back([&out, i] { out[i] = draw(); });
  for (auto& t : threads) t.join();
  const std::set<std::array<uint8_t, 32>> distinct(out.begin(), out.end());
  EXPECT_EQ(distinct.size(), out.size());
}

TEST(SystemRng, AForkedChildDoesNotRepeatItsParent) {
  (void)draw();  // this thread's generator is seeded before the fork
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const auto b = draw();
    const bool ok = ::write(fds[1], b.data(), b.size()) == static_cast<ssize_t>(b.size());
    ::_exit(ok ? 0 : 1);
  }
  ::close(fds[1]);
  const auto parent = draw();
  std::array<uint8_t, 32> child{};
  ASSERT_EQ(::read(fds[0], child.data(), child.size()), static_cast<ssize_t>(child.size()));
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(parent, child);
}

TEST(SystemRng, LongRunsKeepGoing) {
  // Past the reseed interval (1 MiB) and on.
  std::vector<uint8_t> big(3 << 20);
  system_rng().fill(big);
  std::set<uint8_t> values(big.end() - 4096, big.end());
  EXPECT_GT(values.size(), 200u);
}

}  // namespace
}  // namespace essl::crypto

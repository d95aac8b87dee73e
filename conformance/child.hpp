// A peer process (openssl s_server, gnutls-cli, erl ...) with piped stdin, stdout and stderr, killed when dropped.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace essl::conformance {

class Child {
 public:
  // Starts argv[0] (searched in PATH); nullptr with `why` set when it cannot start. With `discard_stdout`
  // the child's stdout goes to /dev/null (for peers that print bulk data nobody checks).
  static std::unique_ptr<Child> spawn(const std::vector<std::string>& argv, std::string& why,
                                      bool discard_stdout = false);
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  // Blocking write of everything to the child's stdin; false if the child went away.
  bool write_stdin(std::span<const uint8_t> data);
  void close_stdin();

  // Waits (bounded) until the child's stdout satisfies `done`; false on timeout or when stdout ended
  // without satisfying it.
  bool wait_stdout(const std::function<bool(const std::string&)>& done, std::chrono::milliseconds timeout);
  std::string out() const;
  std::string err() const;
  // The exit status once the child has ended (and all its output is read), waiting at most `timeout`;
  // nullopt if still running.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  bool running();

 private:
  Child() = default;
  void read_loop(int fd, std::string& into);

  pid_t pid_ = -1;
  int in_ = -1;
  std::optional<int> status_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string out_, err_;
  bool out_ended_ = false;
  std::thread out_reader_, err_reader_;
};

// The path of program `name` found in PATH, or empty if it is not installed.
std::string find_program(const std::string& name);
inline std::string find_openssl() { return find_program("openssl"); }

// A TCP port that was free a moment ago on 127.0.0.1.
uint16_t free_port();
// True once something listens on 127.0.0.1:port (read from /proc/net/tcp, so nothing connects to it).
bool wait_listening(uint16_t port, Child& owner, std::chrono::milliseconds timeout);

}  // namespace essl::conformance

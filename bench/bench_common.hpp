// Shared by the benchmarks: CPU clocks, test credentials, and an `openssl s_server` to compare with.
#pragma once
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "conformance/child.hpp"
#include "essl/essl.hpp"

namespace essl::bench {

using namespace std::chrono_literals;

// CPU seconds (user + system) of the calling thread.
inline double thread_cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// CPU seconds (user + system) of another process, from /proc/<pid>/stat (fields 14 and 15, in ticks).
inline double process_cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(f, line);
  // The command name is in parentheses and may contain spaces: count fields after the last ')'.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

inline std::string data_file(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ESSL_SOURCE_DIR) + "/tests/data/" + name;
}

struct Credentials {
  std::string cert, key;
};
inline Credentials server_credentials(bool ecdsa) {
  std::string base = ecdsa ? "server-ecdsa" : "server-rsa";
  return {data_file(base + ".pem"), data_file(base + "-key.pem")};
}

inline Options essl_server_options(bool ecdsa, const std::string& suite) {
  Options o;
  auto c = server_credentials(ecdsa);
  o.certfile = c.cert;
  o.keyfile = c.key;
  o.versions = {Version::tlsv1_2};
  if (const SuiteInfo* s = find_suite_by_name(suite)) o.ciphers = std::vector<SuiteSpec>{s->spec};
  return o;
}

inline Options essl_client_options(const std::string& suite, bool reuse) {
  Options o;
  o.versions = {Version::tlsv1_2};
  if (const SuiteInfo* s = find_suite_by_name(suite)) o.ciphers = std::vector<SuiteSpec>{s->spec};
  o.reuse_sessions = reuse;
  return o;
}

// `openssl s_server` on 127.0.0.1 with the same credentials and suite; nullptr (after a message) if it
// cannot run.
inline std::unique_ptr<conformance::Child> start_openssl_server(bool ecdsa, const std::string& suite, uint16_t& port) {
  std::string openssl = conformance::find_openssl();
  if (openssl.empty()) {
    std::fprintf(stderr, "openssl is not installed: no comparison possible\n");
    return nullptr;
  }
  auto c = server_credentials(ecdsa);
  for (int attempt = 0; attempt < 3; ++attempt) {
    port = conformance::free_port();
    std::string why;
    auto child = conformance::Child::spawn({openssl, "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                                            c.cert, "-key", c.key, "-tls1_2", "-cipher", suite, "-quiet"},
                                           why, /*discard_stdout=*/true);
    if (!child) {
      std::fprintf(stderr, "cannot start openssl: %s\n", why.c_str());
      return nullptr;
    }
    if (conformance::wait_listening(port, *child, 5s)) return child;
  }
  std::fprintf(stderr, "openssl s_server did not start\n");
  return nullptr;
}

}  // namespace essl::bench

// Server CPU per full and per resumed TLS 1.2 handshake: essl's server (in this process, its thread's
// CPU) next to `openssl s_server` (its process CPU), both driven by the same essl client.
//   essl-bench-handshake [N]    (N handshakes per measurement, default 300)
#include <cstdio>
#include <future>
#include <thread>

#include "bench/bench_common.hpp"

namespace essl::bench {
namespace {

constexpr int warmup = 5;

// Makes `count` connections (each: handshake, close); false after printing the first failure.
bool drive(uint16_t port, const std::string& suite, bool resumed, int count) {
  Options o = essl_client_options(suite, resumed);
  for (int i = 0; i < count; ++i) {
    auto s = connect("127.0.0.1", port, o, 10s, passive_binary());
    if (!s) {
      std::fprintf(stderr, "connect: %s\n", format_error(s.error()).c_str());
      return false;
    }
    if (resumed && i > 0 && !s->connection_information()->resumed) {
      std::fprintf(stderr, "expected a resumed session\n");
      return false;
    }
    (void)s->close();
  }
  return true;
}

// essl: milliseconds of server-thread CPU per handshake, or a negative value on failure.
double essl_ms(bool ecdsa, const std::string& suite, bool resumed, int n) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, essl_server_options(ecdsa, suite), sock);
  if (!ls) {
    std::fprintf(stderr, "listen: %s\n", format_error(ls.error()).c_str());
    return -1;
  }
  int total = warmup + 1 + n;  // +1: the connection that creates the session
  auto measured = std::async(std::launch::async, [&] {
    double start = 0;
    for (int i = 0; i < total; ++i) {
      if (i == warmup + 1) start = thread_cpu_seconds();
      auto s = ls->transport_accept(10s);
      if (!s) return -1.0;
      if (handshake(*s, 10s)) {
        while (s->recv(0, 10s)) {
        }
      }
      (void)s->close();
    }
    return thread_cpu_seconds() - start;
  });
  bool ok = drive(ls->port(), suite, resumed, warmup + 1) && drive(ls->port(), suite, resumed, n);
  if (!ok) ls->close();
  double cpu = measured.get();
  return ok && cpu >= 0 ? cpu * 1000 / n : -1;
}

double openssl_ms(bool ecdsa, const std::string& suite, bool resumed, int n) {
  uint16_t port = 0;
  auto server = start_openssl_server(ecdsa, suite, port);
  if (!server) return -1;
  if (!drive(port, suite, resumed, warmup + 1)) return -1;
  double start = process_cpu_seconds(server->pid());
  if (!drive(port, suite, resumed, n)) return -1;
  return (process_cpu_seconds(server->pid()) - start) * 1000 / n;
}

}  // namespace
}  // namespace essl::bench

int main(int argc, char** argv) {
  using namespace essl::bench;
  int n = argc > 1 ? std::atoi(argv[1]) : 300;
  if (n <= 0) n = 300;
  std::printf("server CPU per TLS 1.2 handshake, %d handshakes each, same essl client\n", n);
  std::printf("%-8s %-32s %10s %12s %8s\n", "kind", "suite", "essl_ms", "openssl_ms", "ratio");
  struct Row {
    bool ecdsa;
    const char* suite;
  };
  for (Row r : {Row{false, "ECDHE-RSA-AES128-GCM-SHA256"}, Row{true, "ECDHE-ECDSA-AES128-GCM-SHA256"},
                Row{false, "AES128-SHA"}}) {
    for (bool resumed : {false, true}) {
      double e = essl_ms(r.ecdsa, r.suite, resumed, n);
      double o = openssl_ms(r.ecdsa, r.suite, resumed, n);
      std::printf("%-8s %-32s %10.3f %12.3f %8s\n", resumed ? "resumed" : "full", r.suite, e, o,
                  e > 0 && o > 0 ? std::to_string(e / o).substr(0, 5).c_str() : "n/a");
      std::fflush(stdout);
    }
  }
  return 0;
}

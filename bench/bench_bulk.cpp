// Bulk throughput: the same essl client sends M MiB to essl's server (in this process) and to
// `openssl s_server`; reports MB/s (until the server has read everything and closed) and server CPU.
//   essl-bench-bulk [MiB]    (default 64)
#include <cstdio>
#include <future>
#include <thread>

#include "bench/bench_common.hpp"

namespace essl::bench {
namespace {

struct Measure {
  double mb_per_s = -1;
  double server_cpu_s = -1;
};

// Sends `mib` MiB in 64 KiB writes, then closes (which waits for the server's close): seconds taken.
double send_all(uint16_t port, const std::string& suite, size_t mib) {
  auto s = connect("127.0.0.1", port, essl_client_options(suite, false), 10s, passive_binary());
  if (!s) {
    std::fprintf(stderr, "connect: %s\n", format_error(s.error()).c_str());
    return -1;
  }
  std::vector<uint8_t> chunk(64 * 1024, 0xa5);
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < mib * 16; ++i) {
    if (!s->send(std::span<const uint8_t>(chunk))) return -1;
  }
  (void)s->close();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Measure essl_server(const std::string& suite, size_t mib) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, essl_server_options(false, suite), sock);
  if (!ls) return {};
  auto cpu = std::async(std::launch::async, [&] {
    auto s = ls->transport_accept(10s);
    if (!s || !handshake(*s, 10s)) return -1.0;
    double start = thread_cpu_seconds();
    size_t got = 0;
    while (auto d = s->recv(0, 30s)) got += d->size();
    (void)s->close();
    return got == mib << 20 ? thread_cpu_seconds() - start : -1.0;
  });
  double secs = send_all(ls->port(), suite, mib);
  Measure m;
  m.server_cpu_s = cpu.get();
  if (secs > 0 && m.server_cpu_s >= 0) m.mb_per_s = static_cast<double>(mib) * 1.048576 / secs;
  return m;
}

Measure openssl_server(const std::string& suite, size_t mib) {
  uint16_t port = 0;
  auto server = start_openssl_server(false, suite, port);
  if (!server) return {};
  double start = process_cpu_seconds(server->pid());
  double secs = send_all(port, suite, mib);
  Measure m;
  if (secs > 0) {
    m.mb_per_s = static_cast<double>(mib) * 1.048576 / secs;
    m.server_cpu_s = process_cpu_seconds(server->pid()) - start;
  }
  return m;
}

std::string ratio(double a, double b) { return a > 0 && b > 0 ? std::to_string(a / b).substr(0, 5) : "n/a"; }

}  // namespace
}  // namespace essl::bench

int main(int argc, char** argv) {
  using namespace essl::bench;
  size_t mib = argc > 1 ? static_cast<size_t>(std::atoi(argv[1])) : 64;
  if (mib == 0) mib = 64;
  std::printf("bulk: %zu MiB client -> server over TLS 1.2, same essl client\n", mib);
  std::printf("%-30s %10s %12s %8s %13s %15s %8s\n", "suite", "essl_MB/s", "openssl_MB/s", "ratio", "essl_cpu_s",
              "openssl_cpu_s", "ratio");
  for (const char* suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA"}) {
    if (!essl::find_suite_by_name(suite)) continue;
    auto e = essl_server(suite, mib);
    auto o = openssl_server(suite, mib);
    std::printf("%-30s %10.1f %12.1f %8s %13.3f %15.3f %8s\n", suite, e.mb_per_s, o.mb_per_s,
                ratio(e.mb_per_s, o.mb_per_s).c_str(), e.server_cpu_s, o.server_cpu_s,
                ratio(e.server_cpu_s, o.server_cpu_s).c_str());
    std::fflush(stdout);
  }
  return 0;
}

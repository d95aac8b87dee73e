// Memory of idle connections, with and without hibernate_after: N essl connections (both ends in this
// process) each move 16 KiB each way, then sit idle. The heap in use (mallinfo2, one malloc arena so
// that every thread's allocations are counted) is measured before the connections and after they have
// been idle for 500 ms; the difference divided by N is the memory of one idle connection (both ends).
//   essl-bench-idle [N]    (default 200)
#include <malloc.h>

#include <cstdio>
#include <future>
#include <thread>

#include "api/socket_impl.hpp"
#include "bench/bench_common.hpp"

namespace essl::bench {
namespace {

struct Figures {
  double heap_per_connection = -1;    // bytes
  double buffers_per_connection = -1; // bytes the sockets' buffers reserve (Socket::Impl::buffer_bytes)
};

size_t heap_in_use() { return mallinfo2().uordblks; }

size_t buffers(const Socket& s) {
  std::lock_guard lock(s.impl()->mu);
  return s.impl()->buffer_bytes();
}

Figures measure(size_t n, std::optional<int> hibernate_after) {
  const std::string suite = "ECDHE-RSA-AES128-GCM-SHA256";
  Options so = essl_server_options(false, suite), co = essl_client_options(suite, false);
  so.hibernate_after = hibernate_after;
  co.hibernate_after = hibernate_after;
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  Figures f;
  const size_t before = heap_in_use();
  {
    auto ls = listen(0, so, sock);
    if (!ls) {
      std::fprintf(stderr, "listen: %s\n", format_error(ls.error()).c_str());
      return f;
    }
    std::vector<Socket> clients, servers;
    auto accepting = std::async(std::launch::async, [&] {
      for (size_t i = 0; i < n; ++i) {
        auto s = ls->transport_accept(10s);
        if (!s || !handshake(*s, 10s)) return false;
        servers.push_back(std::move(*s));
      }
      return true;
    });
    for (size_t i = 0; i < n; ++i) {
      auto c = connect("127.0.0.1", ls->port(), co, 10s, passive_binary());
      if (!c) {
        std::fprintf(stderr, "connect: %s\n", format_error(c.error()).c_str());
        return f;
      }
      clients.push_back(std::move(*c));
    }
    if (!accepting.get()) {
      std::fprintf(stderr, "accept failed\n");
      return f;
    }
    ls->close();
    std::vector<uint8_t> bytes(16 * 1024, 0x5a);
    for (size_t i = 0; i < n; ++i) {
      if (!clients[i].send(bytes) || !servers[i].recv(bytes.size(), 10s) || !servers[i].send(bytes) ||
          !clients[i].recv(bytes.size(), 10s)) {
        std::fprintf(stderr, "exchange failed\n");
        return f;
      }
    }
    std::this_thread::sleep_for(500ms);
    const size_t idle = heap_in_use();
    size_t buf = 0;
    for (size_t i = 0; i < n; ++i) buf += buffers(clients[i]) + buffers(servers[i]);
    f.heap_per_connection = (double(idle) - double(before)) / double(n);
    f.buffers_per_connection = double(buf) / double(n);
    for (auto& s : clients) (void)s.close();
    for (auto& s : servers) (void)s.close();
  }
  return f;
}

}  // namespace
}  // namespace essl::bench

int main(int argc, char** argv) {
  using namespace essl::bench;
  // One arena: mallinfo2 counts the main arena only.
  mallopt(M_ARENA_MAX, 1);
  const size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200;
  if (auto r = essl::start(); !r) return 1;
  // A first round warms the library's caches (certificates, PEM), which later rounds then share.
  (void)measure(4, std::nullopt);
  Figures awake = measure(n, std::nullopt);
  Figures asleep = measure(n, 100);
  if (awake.heap_per_connection < 0 || asleep.heap_per_connection < 0) return 1;
  std::printf("idle connections: %zu (both ends in this process; 16 KiB each way, then 500 ms idle)\n", n);
  std::printf("%-34s %12s %12s\n", "", "heap/conn", "buffers/conn");
  std::printf("%-34s %12.0f %12.0f\n", "hibernate_after undefined", awake.heap_per_connection,
              awake.buffers_per_connection);
  std::printf("%-34s %12.0f %12.0f\n", "hibernate_after 100 ms", asleep.heap_per_connection,
              asleep.buffers_per_connection);
  std::printf("ratio (hibernated / undefined): heap %.2f\n", asleep.heap_per_connection / awake.heap_per_connection);
  essl::stop();
  return 0;
}

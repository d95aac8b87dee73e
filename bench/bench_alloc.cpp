// Heap allocations per record in steady state: a client and a server essl::Tls in memory, a handshake,
// a warm-up, then N records of 16 KiB each way with every malloc-family call of the process counted
// (malloc, calloc, realloc, aligned allocation; operator new goes through malloc).
//
//   essl-bench-alloc [RECORDS]       (default 2000 per direction and suite)
//
// One JSON line per suite: {"kind":"alloc","suite":S,"handshake_allocations":H,"records":N,
// "allocations":A,"per_record":A/N}, where N counts the records both ways (each sealed by one side and
// opened by the other) and H, the allocations of the handshake, shows that the counting works.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "essl/tls.hpp"

// ---- counting: the executable's definitions take the place of libc's for every library of the process.
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
}

namespace {
std::atomic<bool> g_counting{false};
std::atomic<size_t> g_allocations{0};
inline void count() {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
  count();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  count();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  count();
  return __libc_realloc(p, n);
}
void* aligned_alloc(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
void* memalign(size_t alignment, size_t n) {
  count();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, size_t alignment, size_t n) {
  count();
  void* p = __libc_memalign(alignment, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
}

namespace {

std::string data_file(const char* name) { return std::string(ESSL_SOURCE_DIR) + "/tests/data/" + name; }

// Moves everything pending from `from` to `to`; true if anything moved.
bool pump(essl::Tls& from, essl::Tls& to) {
  auto out = from.pending_output();
  if (out.empty()) return false;
  to.feed(out);
  from.consume_output(out.size());
  return true;
}

bool settle(essl::Tls& a, essl::Tls& b) {
  for (int i = 0; i < 64; ++i) {
    const bool moved = pump(a, b) | pump(b, a);
    if (a.error() || b.error()) return false;
    if (!moved) return true;
  }
  return true;
}

// `n` records of `payload` from `from` to `to`, each read and consumed by `to`.
bool stream(essl::Tls& from, essl::Tls& to, const std::vector<uint8_t>& payload, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (!from.send(payload)) return false;
    pump(from, to);
    auto got = to.app_data();
    if (got.size() != payload.size()) return false;
    to.consume_app_data(got.size());
  }
  return !from.error() && !to.error();
}

int fail(const std::string& why) {
  std::printf("{\"kind\":\"error\",\"error\":\"%s\"}\n", why.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t records = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 2000;
  if (records == 0) return fail("RECORDS must be a positive number");
  const std::vector<uint8_t> payload(16 * 1024, 'x');
  for (const char* suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-SHA256"}) {
    essl::Options so;
    so.certfile = data_file("server-rsa.pem");
    so.keyfile = data_file("server-rsa-key.pem");
    so.ciphers = std::string(suite);
    so.versions = std::vector<essl::Version>{essl::Version::tlsv1_2};
    essl::Options co;
    co.ciphers = std::string(suite);
    co.versions = so.versions;
    auto scfg = essl::TlsConfig::server(so);
    auto ccfg = essl::TlsConfig::client(co);
    if (!scfg) return fail("server options: " + essl::format_error(scfg.error()));
    if (!ccfg) return fail("client options: " + essl::format_error(ccfg.error()));
    // The handshake is counted too: it allocates, which shows the counting works.
    g_allocations = 0;
    g_counting = true;
    essl::Tls server(*scfg), client(*ccfg, "localhost", 443);
    client.start();
    const bool shook = settle(client, server) && client.handshake_done() && server.handshake_done();
    g_counting = false;
    const size_t handshake_allocations = g_allocations.load();
    if (!shook) return fail(std::string("handshake failed for ") + suite);
    // Warm-up: every buffer at its steady size.
    if (!stream(client, server, payload, 64) || !stream(server, client, payload, 64))
      return fail(std::string("warm-up failed for ") + suite);
    g_allocations = 0;
    g_counting = true;
    const bool ok = stream(client, server, payload, records) && stream(server, client, payload, records);
    g_counting = false;
    if (!ok) return fail(std::string("streaming failed for ") + suite);
    const size_t n = 2 * records, a = g_allocations.load();
    std::printf("{\"kind\":\"alloc\",\"suite\":\"%s\",\"handshake_allocations\":%zu,\"records\":%zu,"
                "\"allocations\":%zu,\"per_record\":%.4f}\n",
                suite, handshake_allocations, n, a, static_cast<double>(a) / static_cast<double>(n));
  }
  return 0;
}

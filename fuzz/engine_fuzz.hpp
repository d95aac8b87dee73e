// Shared by the engine fuzz targets and their seed writer: fixed configurations and a deterministic RNG,
// so that a captured peer flight replays exactly (same randoms, same keys) and reaches the connection
// state.
#pragma once
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "statemachine/engine.hpp"

namespace essl::fuzz {

// <rel> (a path in the source tree, starting with '/') under $ESSL_SOURCE_ROOT, else under the source
// tree the target was built from, else beside the executable (OSS-Fuzz copies the files into $OUT).
inline std::string source_file_path(const std::string& rel) {
  if (const char* root = std::getenv("ESSL_SOURCE_ROOT")) return root + rel;
  std::error_code ec;
#ifdef ESSL_FUZZ_SOURCE_ROOT
  if (std::filesystem::exists(ESSL_FUZZ_SOURCE_ROOT + rel, ec)) return ESSL_FUZZ_SOURCE_ROOT + rel;
#endif
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && std::filesystem::exists(exe.parent_path().string() + rel, ec)) return exe.parent_path().string() + rel;
  return "." + rel;
}

// tests/data/<name>.
inline std::string engine_data_path(const char* name) { return source_file_path(std::string("/tests/data/") + name); }

// The configurations, built once. No session cache: every input starts from the same state.
inline const Config& engine_base_config(Role role) {
  static const std::shared_ptr<const Config> server = [] {
    Options o;
    o.certfile = engine_data_path("server-rsa.pem");
    o.keyfile = engine_data_path("server-rsa-key.pem");
    o.reuse_sessions = false;
    auto c = Config::make(Role::server, o);
    if (!c) std::abort();
    return c.value();
  }();
  static const std::shared_ptr<const Config> client = [] {
    Options o;
    o.reuse_sessions = false;
    auto c = Config::make(Role::client, o);
    if (!c) std::abort();
    return c.value();
  }();
  return role == Role::server ? *server : *client;
}

// One engine with its own deterministic RNG (declared first, so it outlives the engine).
struct FuzzEngine {
  std::unique_ptr<crypto::Rng> rng;
  std::unique_ptr<Engine> engine;

  FuzzEngine(Role role, uint64_t seed) : rng(crypto::deterministic_rng(seed)) {
    auto cfg = std::make_shared<Config>(engine_base_config(role));
    cfg->rng = rng.get();
    cfg->session_cache = nullptr;
    engine = std::make_unique<Engine>(cfg, PeerId{"localhost", 443});
    engine->start();
  }
};

// Seeds used by the targets (the client's and the server's RNG).
constexpr uint64_t client_seed = 1;
constexpr uint64_t server_seed = 2;

// A whole handshake between the targets' own engines, then "hello" each way: what each side received.
// Fed to a fresh engine with the same seed, each half reaches `connection`.
struct Capture {
  codec::Bytes to_server, to_client;
};
inline Capture capture_handshake() {
  FuzzEngine c(Role::client, client_seed), s(Role::server, server_seed);
  Capture cap;
  for (int i = 0; i < 10; ++i) {
    codec::ByteView co = c.engine->pending_output();
    cap.to_server.insert(cap.to_server.end(), co.begin(), co.end());
    s.engine->feed(co);
    c.engine->consume_output(co.size());
    codec::ByteView so = s.engine->pending_output();
    cap.to_client.insert(cap.to_client.end(), so.begin(), so.end());
    c.engine->feed(so);
    s.engine->consume_output(so.size());
  }
  const uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
  (void)c.engine->send(hello);
  (void)s.engine->send(hello);
  codec::ByteView co = c.engine->pending_output(), so = s.engine->pending_output();
  cap.to_server.insert(cap.to_server.end(), co.begin(), co.end());
  cap.to_client.insert(cap.to_client.end(), so.begin(), so.end());
  return cap;
}

// Once per process, before any Botan allocation (LLVMFuzzerInitialize). Botan's locked-memory pool
// allocates and frees its bookkeeping across runs, so libFuzzer sees unbalanced mallocs and runs a full
// leak scan after almost every input (about 4 ms each); plain allocations keep runs balanced.
inline void init_process() { setenv("BOTAN_MLOCK_POOL_SIZE", "0", 0); }

// With ESSL_WRITE_ENGINE_SEEDS=<dir>, writes <dir>/engine_server/handshake and
// <dir>/engine_client/handshake as this build's crypto provider makes them: the fuzzing provider's
// handshake differs from Botan's, so the fuzzing build writes its own seeds (fuzz/run does this).
inline void write_engine_seeds_if_asked() {
  const char* dir = std::getenv("ESSL_WRITE_ENGINE_SEEDS");
  if (!dir) return;
  const Capture cap = capture_handshake();
  for (auto [name, bytes] : {std::pair{"engine_server", &cap.to_server}, std::pair{"engine_client", &cap.to_client}}) {
    const std::filesystem::path d = std::filesystem::path(dir) / name;
    std::filesystem::create_directories(d);
    std::ofstream f(d / "handshake", std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes->data()), std::streamsize(bytes->size()));
  }
}

}  // namespace essl::fuzz

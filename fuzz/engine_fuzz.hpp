// Shared by the engine fuzz targets and their seed writer: fixed configurations and a deterministic RNG,
// so that a captured peer flight replays exactly (same randoms, same keys) and reaches the connection
// state.
#pragma once
#include <cstdlib>
#include <memory>
#include <string>

#include "statemachine/engine.hpp"

namespace essl::fuzz {

inline std::string engine_data_path(const char* name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
#ifdef ESSL_FUZZ_SOURCE_ROOT
  if (!root) root = ESSL_FUZZ_SOURCE_ROOT;
#endif
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

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

}  // namespace essl::fuzz

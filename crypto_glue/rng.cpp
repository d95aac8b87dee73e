// Randomness: the OS generator (through a per-thread ChaCha20 generator it seeds) for real connections,
// ChaCha20 from a seed for replayable runs.
#include "crypto_glue/rng.hpp"

#include "crypto_glue/botan_glue.hpp"

#include <botan/chacha_rng.h>
#include <botan/system_rng.h>
#include <pthread.h>

#include <atomic>

namespace essl::crypto {

namespace {

// The OS generator seeds a ChaCha20 generator per thread, which serves every request after that from
// user space: a handshake asks for randomness a couple of dozen times (nonces, blinding, ephemeral
// keys), and each would otherwise be a system call. A thread reseeds after 1 MiB of output, and every
// thread reseeds in a forked child (pthread_atfork bumps a generation), so that a child never repeats its
// parent's stream.
std::atomic<uint64_t> g_fork_generation{1};

void after_fork_in_child() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

class SystemRng final : public Rng {
 public:
  SystemRng() { ::pthread_atfork(nullptr, nullptr, after_fork_in_child); }

  void fill(std::span<uint8_t> out) override {
    try {
      PerThread& t = state();
      const uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
      if (!t.rng || t.generation != generation || t.served > kReseedAfter) {
        Botan::secure_vector<uint8_t> seed(32);
        Botan::system_rng().randomize(seed.data(), seed.size());
        if (t.rng) t.rng->initialize_with(seed.data(), seed.size());
        else t.rng = std::make_unique<Botan::ChaCha_RNG>(seed);
        t.generation = generation;
        t.served = 0;
      }
      t.rng->randomize(out.data(), out.size());
      t.served += out.size();
    } catch (...) {
      // The OS generator failing leaves no safe way on; a key made of zeros would be worse.
      std::terminate();
    }
  }

 private:
  static constexpr size_t kReseedAfter = size_t(1) << 20;
  struct PerThread {
    std::unique_ptr<Botan::ChaCha_RNG> rng;
    uint64_t generation = 0;
    size_t served = 0;
  };
  static PerThread& state() {
    thread_local PerThread t;
    return t;
  }
};

class DeterministicRng final : public Rng {
 public:
  explicit DeterministicRng(uint64_t seed) : rng_(seed_bytes(seed)) {}
  void fill(std::span<uint8_t> out) override { rng_.randomize(out.data(), out.size()); }

 private:
  static Botan::secure_vector<uint8_t> seed_bytes(uint64_t seed) {
    Botan::secure_vector<uint8_t> s(32);
    for (size_t i = 0; i < 8; ++i) s[i] = static_cast<uint8_t>(seed >> (8 * i));
    return s;
  }
  Botan::ChaCha_RNG rng_;
};

}  // namespace

Rng& system_rng() {
  static SystemRng rng;
  return rng;
}

Botan::RandomNumberGenerator& system_botan_rng() {
  static BotanRng rng(system_rng());
  return rng;
}

std::unique_ptr<Rng> deterministic_rng(uint64_t seed) { return std::make_unique<DeterministicRng>(seed); }

}  // namespace essl::crypto

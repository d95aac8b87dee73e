// Randomness: the OS generator for real connections, ChaCha20 from a seed for replayable runs.
#include "crypto_glue/rng.hpp"

#include <botan/chacha_rng.h>
#include <botan/system_rng.h>

namespace essl::crypto {

namespace {

class SystemRng final : public Rng {
 public:
  void fill(std::span<uint8_t> out) override {
    try {
      Botan::system_rng().randomize(out.data(), out.size());
    } catch (...) {
      // The OS generator failing leaves no safe way on; a key made of zeros would be worse.
      std::terminate();
    }
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

std::unique_ptr<Rng> deterministic_rng(uint64_t seed) { return std::make_unique<DeterministicRng>(seed); }

}  // namespace essl::crypto

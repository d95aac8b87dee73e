// Randomness. The Botan provider uses the system RNG; fuzzing and model exploration use a seeded,
// deterministic one so whole handshakes replay exactly.
#pragma once
#include <cstdint>
#include <memory>
#include <span>

namespace essl::crypto {

class Rng {
 public:
  virtual ~Rng() = default;
  virtual void fill(std::span<uint8_t> out) = 0;
};

Rng& system_rng();                                          // thread-safe
std::unique_ptr<Rng> deterministic_rng(uint64_t seed);      // for fuzzers and tests only

}  // namespace essl::crypto

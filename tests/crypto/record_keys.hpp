// Random record keys of the lengths a (version, suite) shape needs, for the record protection tests.
#pragma once
#include "crypto_glue/record_protection.hpp"

namespace essl::crypto {

struct Keys {
  Bytes mac, enc, iv;
};

// Shape: anything with a Version `v` and a SuiteSpec `s`.
template <class Shape>
Keys make_keys(const Shape& sh, Rng& rng) {
  const KeyLengths k = key_lengths(sh.v, sh.s);
  Keys keys{Bytes(k.mac_key), Bytes(k.enc_key), Bytes(k.iv)};
  rng.fill(keys.mac);
  rng.fill(keys.enc);
  rng.fill(keys.iv);
  return keys;
}

}  // namespace essl::crypto

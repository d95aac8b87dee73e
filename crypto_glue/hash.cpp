// Hashes, HMAC and constant-time comparison.
#include "crypto_glue/hash.hpp"

#include <botan/hash.h>
#include <botan/mac.h>

#include "crypto_glue/prototypes.hpp"

namespace essl::crypto {

Bytes hash(Hash h, ByteView data) {
  if (h == Hash::md5sha) {
    Bytes out = hash(Hash::md5, data);
    Bytes sha = hash(Hash::sha, data);
    out.insert(out.end(), sha.begin(), sha.end());
    return out;
  }
  if (h == Hash::null) return {};
  try {
    auto fn = new_hash(h);
    fn->update(data.data(), data.size());
    Bytes out(fn->output_length());
    fn->final(out.data());
    return out;
  } catch (...) {
    return {};
  }
}

size_t hash_size(Hash h) {
  switch (h) {
    case Hash::null: return 0;
    case Hash::md5: return 16;
    case Hash::sha: return 20;
    case Hash::sha224: return 28;
    case Hash::sha256: return 32;
    case Hash::sha384: return 48;
    case Hash::sha512: return 64;
    case Hash::md5sha: return 36;
  }
  return 0;
}

Bytes hmac(Hash h, ByteView key, ByteView data) {
  if (h == Hash::null || h == Hash::md5sha) return {};
  try {
    auto mac = new_hmac(h);
    mac->set_key(key.data(), key.size());
    mac->update(data.data(), data.size());
    Bytes out(mac->output_length());
    mac->final(out.data());
    return out;
  } catch (...) {
    return {};
  }
}

bool equal_ct(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;  // lengths are public
  uint8_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<uint8_t>(a[i] ^ b[i]);
  // Fold without a data-dependent branch: 0 -> 1, anything else -> 0.
  return ((static_cast<uint32_t>(diff) - 1U) >> 31) != 0;
}

}  // namespace essl::crypto

// Private to crypto_glue: Botan's names for essl's hash values.
#pragma once
#include "essl/suites.hpp"

namespace essl::crypto {

// nullptr for Hash::null and Hash::md5sha (not a single Botan hash).
inline const char* botan_hash_name(Hash h) {
  switch (h) {
    case Hash::md5: return "MD5";
    case Hash::sha: return "SHA-1";
    case Hash::sha224: return "SHA-224";
    case Hash::sha256: return "SHA-256";
    case Hash::sha384: return "SHA-384";
    case Hash::sha512: return "SHA-512";
    case Hash::null:
    case Hash::md5sha: return nullptr;
  }
  return nullptr;
}

}  // namespace essl::crypto

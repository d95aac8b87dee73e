// Private to crypto_glue: Botan objects for one use, cloned from one made by name per thread.
//
// Making a Botan object by name parses the name (SCAN_Name) and searches the algorithm registry. A
// resumed handshake makes a dozen of them (transcript hashes, three PRF runs, two GCM modes) and the
// server's profile showed the names costing more than the hashing they were for. Each thread now parses
// a name once and clones the result; the clones are used once and destroyed, so no key outlives its use.
#pragma once
#include <botan/aead.h>
#include <botan/hash.h>
#include <botan/kdf.h>
#include <botan/mac.h>

#include <memory>

#include "essl/suites.hpp"

namespace essl::crypto {

// A fresh hash (Hash::md5 .. Hash::sha512); throws for Hash::null and Hash::md5sha.
std::unique_ptr<Botan::HashFunction> new_hash(Hash h);
// A fresh, unkeyed HMAC with that hash; throws as new_hash.
std::unique_ptr<Botan::MessageAuthenticationCode> new_hmac(Hash h);
// The PRF with that hash: TLS 1.0/1.1's MD5 + SHA-1 PRF for Hash::md5sha, TLS 1.2's P_hash otherwise.
std::unique_ptr<Botan::KDF> new_prf(Hash h);
// An unkeyed AES-GCM mode (16-byte tag) for a 16- or 32-byte key; throws for other key lengths.
std::unique_ptr<Botan::AEAD_Mode> new_aes_gcm(size_t key_length, Botan::Cipher_Dir dir);

}  // namespace essl::crypto

// The PRF family (RFC 2246 5, RFC 5246 5; SSL 3.0's derivation) and what is derived with it.
#pragma once
#include <string_view>

#include "crypto_glue/hash.hpp"

namespace essl::crypto {

// TLS 1.0/1.1: P_MD5 xor P_SHA1 (prf == Hash::md5sha); TLS 1.2: P_<prf>. seed = label || seed.
Bytes prf(Hash prf, ByteView secret, std::string_view label, ByteView seed, size_t length);

// The PRF hash a suite uses at a version: md5sha below TLS 1.2; the suite's own (sha384) or sha256 at 1.2.
Hash prf_hash(Version v, const SuiteSpec& s);

// master_secret (48 bytes) from the premaster secret; SSL 3.0 uses its MD5/SHA-1 construction.
Bytes master_secret(Version v, Hash prf, ByteView premaster, ByteView client_random, ByteView server_random);

// RFC 7627 4: master_secret = PRF(pre_master_secret, "extended master secret", session_hash)[0..47],
// session_hash = Hash(handshake messages up to and including ClientKeyExchange) with the PRF hash
// (MD5 || SHA-1 below TLS 1.2). Not defined for SSL 3.0.
Bytes extended_master_secret(Hash prf, ByteView premaster, ByteView transcript);

// key_block of `length` bytes (note the server_random || client_random order).
Bytes key_block(Version v, Hash prf, ByteView master, ByteView client_random, ByteView server_random,
                size_t length);

// Finished verify_data over the handshake transcript (all handshake messages so far, raw):
// TLS: PRF(master, "client finished"/"server finished", Hash(transcript))[0..11];
// SSL 3.0: the 36-byte MD5/SHA-1 construction with sender "CLNT"/"SRVR".
Bytes finished_verify_data(Version v, Hash prf, ByteView master, bool from_client, ByteView transcript);

}  // namespace essl::crypto

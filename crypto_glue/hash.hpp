// Hashes and constant-time comparison.
#pragma once
#include "codecs/wire.hpp"
#include "essl/suites.hpp"

namespace essl::crypto {

using codec::Bytes;
using codec::ByteView;

// hash(md5sha) is MD5(data) || SHA-1(data) (36 bytes), as TLS 1.0/1.1 sign and verify.
Bytes hash(Hash h, ByteView data);
size_t hash_size(Hash h);

// HMAC (RFC 2104) with `h` (not md5sha); empty for an unsupported hash.
Bytes hmac(Hash h, ByteView key, ByteView data);

// Constant time in the length of the inputs; different lengths compare unequal.
bool equal_ct(ByteView a, ByteView b);

}  // namespace essl::crypto

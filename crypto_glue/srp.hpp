// SRP (RFC 5054) with Botan's SRP6: the groups of appendix A, SHA-1, the server's B from the verifier
// parameters the application's lookup gives, and the client's A and premaster secret.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "crypto_glue/kex.hpp"

namespace essl::crypto {

struct SrpGroup {
  Bytes N, g;  // big-endian
};
// RFC 5054 appendix A's group of `bits` (1024, 1536, 2048, 3072, 4096, 6144, 8192).
std::optional<SrpGroup> srp_group(size_t bits);

// x = SHA-1(salt | SHA-1(user | ":" | password)) (RFC 5054 2.4): the spec's DerivedKey.
Bytes srp_derived_key(const std::string& user, const std::string& password, ByteView salt);

// The server's side: public_value() is B; agree(A) gives the premaster secret S (leading zero bytes
// stripped, as OpenSSL and GnuTLS form it). An A with A % N == 0 is illegal_parameter. nullptr for an
// unknown group size or an empty derived key.
std::unique_ptr<KeyAgreement> srp_server(size_t group_bits, ByteView derived_key, Rng& rng);

// The client's side for the server's N, g and salt: agree(B) computes A and the premaster secret;
// public_value() is A once agree() succeeded. nullptr when N, g is not a group of appendix A (RFC 5054
// 2.5.3: insufficient_security). A bad B (B % N == 0) is illegal_parameter.
std::unique_ptr<KeyAgreement> srp_client(const std::string& user, const std::string& password, ByteView N,
                                         ByteView g, ByteView salt, Rng& rng);

}  // namespace essl::crypto

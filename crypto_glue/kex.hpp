// Key exchange: ephemeral (EC)DH with peer-value validation, and RSA premaster transport that resists
// Bleichenbacher's attack.
#pragma once
#include <memory>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/rng.hpp"

namespace essl::crypto {

// One side's ephemeral key pair.
class KeyAgreement {
 public:
  virtual ~KeyAgreement() = default;
  // The public value as sent: DH Y (big-endian, unpadded) or the uncompressed EC point / X25519 u.
  virtual Bytes public_value() const = 0;
  // The premaster secret (DH: leading zeros stripped, RFC 5246 8.1.2; ECDH: the x coordinate). A peer
  // value that is malformed, not on the curve, or a small-order/degenerate DH value gives
  // illegal_parameter.
  virtual Result<Bytes, AlertDescription> agree(ByteView peer_public) = 0;
};

bool group_supported(uint16_t named_group);  // secp256r1, secp384r1, secp521r1, x25519
std::unique_ptr<KeyAgreement> ecdh(uint16_t named_group, Rng& rng);  // nullptr if unsupported
// A pair from a known private key, for test vectors: a big-endian scalar for the NIST curves, the
// 32-byte RFC 7748 scalar for X25519. nullptr if unsupported or invalid.
std::unique_ptr<KeyAgreement> ecdh_from_private(uint16_t named_group, ByteView private_key);

// Static ECDH (RFC 4492 2.1, 2.3): the server's key is its certificate's. The server's side from its EC
// private key (nullptr for another key type); the client's side is an ephemeral pair on the
// certificate's curve (ecdh() with cert.ec_named_group()), agreed with the certificate's point.
std::unique_ptr<KeyAgreement> ecdh_static(const PrivateKey& key);
Bytes ec_public_point(const Certificate& cert);  // uncompressed; empty for a non-EC key

struct DhParams {
  Bytes p, g;
};
const DhParams& default_dh_params();  // RFC 7919 ffdhe2048
// p/g from a DER PKCS#3 DHParameter or a PEM "DH PARAMETERS" file body.
Result<DhParams, std::string> parse_dh_params(ByteView der_or_pem);
// The server's pair from its params; the client's from the server's params. Bad params (p too small,
// g out of range) give nullptr with insufficient_security reported by the caller.
std::unique_ptr<KeyAgreement> dh(const DhParams& params, Rng& rng);

// RSA key transport (RFC 5246 7.4.7.1).
Result<Bytes, AlertDescription> rsa_encrypt_premaster(const Certificate& server_cert, ByteView premaster,
                                                      Rng& rng);
// Always returns 48 bytes: the decrypted premaster when it decrypts with the right length and
// `client_version`, otherwise random bytes, with no observable difference in timing or result.
Bytes rsa_decrypt_premaster(const PrivateKey& key, ByteView encrypted, uint16_t client_version, Rng& rng);

}  // namespace essl::crypto

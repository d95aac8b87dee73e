// Certificates and private keys: Botan parses, essl decides.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "crypto_glue/rng.hpp"
#include "crypto_glue/hash.hpp"
#include "essl/alert.hpp"
#include "essl/result.hpp"

namespace essl::crypto {

enum class KeyAlgo { rsa, dsa, ecdsa, other };

class Certificate {
 public:
  static Result<Certificate, std::string> from_der(ByteView der);
  const Bytes& der() const;
  KeyAlgo key_algo() const;
  uint16_t ec_named_group() const;  // for ECDSA keys: 23/24/25, else 0
  Bytes subject_dn() const;         // DER of the subject Name (for CertificateRequest CA lists)
  Bytes issuer_dn() const;
  bool is_self_signed() const;
  struct Impl;
  std::shared_ptr<const Impl> impl;  // opaque
};

// All CERTIFICATE blocks of a PEM text, or a single DER certificate.
Result<std::vector<Certificate>, std::string> parse_certificates(ByteView pem_or_der);

class PrivateKey {
 public:
  // PEM (PKCS#1 RSA, SEC1 EC, PKCS#8, encrypted PKCS#8 with `password`) or DER PKCS#8/PKCS#1/SEC1.
  static Result<PrivateKey, std::string> parse(ByteView pem_or_der, const std::string& password);
  KeyAlgo algo() const;
  bool matches(const Certificate& cert) const;  // same public key
  // Signs `message`: TLS 1.2 with `scheme` (hash << 8 | sig algorithm); below 1.2 pass scheme 0 and the
  // legacy hash is used (RSA: MD5||SHA-1 with PKCS#1 v1.5 without DigestInfo; ECDSA/DSA: SHA-1).
  // Signers are built once per key and reused.
  Result<Bytes, std::string> sign(uint16_t scheme, ByteView message, Rng& rng) const;
  struct Impl;
  std::shared_ptr<Impl> impl;
};

// Verifies a TLS signature by the certificate's key; scheme 0 means the legacy (pre-1.2) hash.
bool verify_signature(const Certificate& cert, uint16_t scheme, ByteView message, ByteView signature);

// Whether this build can sign/verify with a scheme (hash/algorithm pair).
bool scheme_supported(uint16_t scheme);

// Basic path validation (issue-2 level; the full verify_fun semantics come later): the chain (leaf
// first) must lead to one of `trusted` with valid signatures and dates; `hostname`, when non-empty, must
// match the leaf. On failure, the alert the spec maps the reason to (unknown_ca, certificate_expired,
// bad_certificate, handshake_failure for a hostname mismatch) plus the reason text.
struct PathError {
  AlertDescription alert;
  std::string reason;  // e.g. "unknown_ca", "cert_expired", "hostname_check_failed"
};
Result<void, PathError> validate_path(const std::vector<Certificate>& chain,
                                      const std::vector<Certificate>& trusted, const std::string& hostname,
                                      int depth);

}  // namespace essl::crypto

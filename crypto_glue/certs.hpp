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
  KeyAlgo signed_with() const;      // the issuer's key algorithm, as the signature algorithm names it
  Bytes subject_dn() const;         // DER of the subject Name (for CertificateRequest CA lists)
  Bytes issuer_dn() const;
  bool is_self_signed() const;
  struct Impl;
  std::shared_ptr<const Impl> impl;  // opaque
};

// The DER objects of a PEM text's LABEL blocks (other blocks skipped), or DER SEQUENCEs back to back;
// `what` names them in errors ("no WHAT", "not a WHAT: ...", "bad LABEL PEM block").
Result<std::vector<Bytes>, std::string> split_pem_or_der(ByteView pem_or_der, const std::string& label,
                                                         const std::string& what);

// All CERTIFICATE blocks of a PEM text, or DER certificates (one, or a chain of them back to back).
Result<std::vector<Certificate>, std::string> parse_certificates(ByteView pem_or_der);

class PrivateKey {
 public:
  // load_private_key with any format, the error as text.
  static Result<PrivateKey, std::string> parse(ByteView pem_or_der, const std::string& password);
  KeyAlgo algo() const;
  bool matches(const Certificate& cert) const;  // same public key
  // The key as unencrypted PKCS#8 PrivateKeyInfo DER (the {key, {'PrivateKeyInfo', Der}} option).
  Bytes pkcs8() const;
  // Signs `message`: TLS 1.2 with `scheme` (hash << 8 | sig algorithm); below 1.2 pass scheme 0 and the
  // legacy hash is used (RSA: MD5||SHA-1 with PKCS#1 v1.5 without DigestInfo; ECDSA/DSA: SHA-1).
  // DSA signs with schemes 0x0202 (sha1) ... 0x0602 (sha512), and with SHA-1 below TLS 1.2.
  // Signers are built once per key and reused.
  Result<Bytes, std::string> sign(uint16_t scheme, ByteView message, Rng& rng) const;
  struct Impl;
  std::shared_ptr<Impl> impl;
};

// Why a private key did not load. The caller names the option; `text` says why in words.
struct KeyError {
  enum class Reason {
    not_a_key,       // no private key in the input (for example a certificate only)
    corrupt,         // a key, but its encoding is damaged
    needs_password,  // encrypted, and no password was given
    wrong_password,  // encrypted, well-formed, and the password does not decrypt it
    unsupported,     // an encryption scheme or key algorithm this library does not use
  };
  Reason reason = Reason::not_a_key;
  std::string text;
};

// The encoding a DER key is declared to have, as in the {key, {Type, Der}} option.
enum class KeyFormat {
  any,          // PEM or DER, whichever this is
  rsa_pkcs1,    // RSAPrivateKey (RFC 8017 A.1.2)
  dsa_openssl,  // DSAPrivateKey: SEQUENCE { 0, p, q, g, y, x } as OpenSSL writes it
  ec_sec1,      // ECPrivateKey (RFC 5915)
  pkcs8,        // PrivateKeyInfo (RFC 5208), unencrypted
};

// Loads an RSA, DSA or EC private key. PEM: PKCS#8 ("PRIVATE KEY"), encrypted PKCS#8 ("ENCRYPTED
// PRIVATE KEY", PBES2), and the traditional "RSA/DSA/EC PRIVATE KEY" blocks, plain or with OpenSSL's
// legacy encryption (Proc-Type: 4,ENCRYPTED; DEK-Info: AES-128/192/256-CBC, DES-EDE3-CBC or DES-CBC).
// DER: any of those encodings unless `format` names one.
Result<PrivateKey, KeyError> load_private_key(ByteView pem_or_der, const std::string& password,
                                              KeyFormat format = KeyFormat::any);

// Verifies a TLS signature by the certificate's key; scheme 0 means the legacy (pre-1.2) hash.
bool verify_signature(const Certificate& cert, uint16_t scheme, ByteView message, ByteView signature);

// Whether this build can sign/verify with a scheme (hash/algorithm pair).
bool scheme_supported(uint16_t scheme);

}  // namespace essl::crypto

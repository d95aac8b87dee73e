// Record protection: the cipher state of one direction (RFC 5246 6.2.3).
//
// Stream cipher (RC4): MAC-then-encrypt, the keystream running on across records, no IV.
// Block ciphers (DES, 3DES, AES): MAC-then-encrypt with CBC (or encrypt-then-MAC, RFC 7366); SSL 3.0 and TLS 1.0 chain the IV across
// records (implicit), 1.1+ sends an explicit IV. unprotect() checks padding and MAC in constant time
// (Lucky13): the work done does not depend on the padding length or on whether the padding was valid.
// SSL 3.0 padding may hold any bytes and must be shorter than a block (RFC 6101 5.2.3.2).
// MACs: HMAC with MD5, SHA-1, SHA-256 or SHA-384; SSL 3.0's own MD5/SHA-1 construction (RFC 6101 5.2.3.1).
// AEAD (GCM): 8-byte explicit nonce, additional data = seq || type || version || length.
#pragma once
#include <memory>

#include "crypto_glue/rng.hpp"
#include "crypto_glue/hash.hpp"
#include "essl/alert.hpp"
#include "essl/result.hpp"

namespace essl::crypto {

struct KeyLengths {
  size_t mac_key;  // 0 for AEAD
  size_t enc_key;
  size_t iv;       // fixed IV: CBC's initial IV for TLS 1.0/SSL 3.0 (block size), 4 for GCM; 0 otherwise
};
KeyLengths key_lengths(Version v, const SuiteSpec& s);

class RecordProtection {
 public:
  virtual ~RecordProtection() = default;

  // The most the ciphertext can exceed the plaintext by (IV, MAC, padding or tag).
  virtual size_t max_overhead() const = 0;

  // Appends the protected fragment (not the header) for `plaintext` to `out`.
  virtual void protect(uint8_t content_type, uint16_t version, uint64_t seq, ByteView plaintext, Bytes& out,
                       Rng& rng) = 0;

  // Checks and decrypts `fragment` in place; returns the plaintext as a subspan of it, or
  // bad_record_mac (any MAC, padding or tag failure) / record_overflow (plaintext over 2^14).
  virtual Result<std::span<uint8_t>, AlertDescription> unprotect(uint8_t content_type, uint16_t version,
                                                                 uint64_t seq,
                                                                 std::span<uint8_t> fragment) = 0;

  // hibernate_after: gives back what can be made again from the key on the next record (GCM's key
  // schedule and GHASH tables); a cipher whose state runs on across records keeps it.
  virtual void release_idle() {}
};

// `padding_check` false: TLS 1.0 accepts any padding bytes (only the length byte is used), as the spec's
// padding_check option documents; this makes TLS 1.0 CBC records open to the POODLE attack. TLS 1.1 and
// later always check the padding. Keys are taken from the key block by the caller; nullptr for a
// combination that does not exist (wrong key sizes, GCM below TLS 1.2, an SSL 3.0 MAC other than MD5 or
// SHA-1).
// `encrypt_then_mac` (RFC 7366, CBC suites at TLS 1.0 and later only; nullptr otherwise): the MAC covers
// the IV and ciphertext and is checked before anything is decrypted.
std::unique_ptr<RecordProtection> make_record_protection(Version v, const SuiteSpec& s, ByteView mac_key,
                                                         ByteView enc_key, ByteView iv, bool padding_check,
                                                         bool encrypt_then_mac = false);

// The constant-time CBC record check, exposed for tests: given the decrypted record (after any explicit
// IV), the MAC length and mac key/hash, returns whether padding and MAC are good, doing the same work
// either way. SSL 3.0 (`ssl3`) checks only the padding length.
struct CbcCheckInput {
  Hash mac;
  ByteView mac_key;
  uint64_t seq;
  uint8_t content_type;
  uint16_t version;
  ByteView decrypted;  // plaintext || mac || padding || padding_length
  size_t block_size;
  bool ssl3;
  bool padding_check;
};
// On success: the plaintext length. On failure: nullopt-equivalent error.
Result<size_t, AlertDescription> check_cbc_record(const CbcCheckInput& in);

// The primitives under the record layer on raw inputs, driven exactly as the record layer drives them
// (for published test vectors such as Wycheproof's):
// AES-GCM with a 12-byte nonce (TLS: 4-byte fixed IV || 8-byte explicit nonce) and 16-byte tag;
// decrypts ciphertext || tag in place and returns the plaintext length, or bad_record_mac.
Result<size_t, AlertDescription> gcm_open(ByteView key, ByteView nonce, ByteView aad,
                                          std::span<uint8_t> ciphertext_and_tag);
// AES-CBC in place, no padding; false for bad key/IV/data lengths.
bool cbc_decrypt(ByteView key, ByteView iv, std::span<uint8_t> data);
bool cbc_encrypt(ByteView key, ByteView iv, std::span<uint8_t> data);

// AES-GCM (16- or 32-byte key) keyed once, as the GCM record protection keys it: for measuring what the
// record layer adds to the cipher. seal() appends ciphertext || tag to `out`; open() is gcm_open's.
class Aead {
 public:
  virtual ~Aead() = default;
  virtual void seal(ByteView nonce, ByteView aad, ByteView plaintext, Bytes& out) = 0;
  virtual Result<size_t, AlertDescription> open(ByteView nonce, ByteView aad, std::span<uint8_t> ciphertext_and_tag) = 0;
};
std::unique_ptr<Aead> make_gcm(ByteView key);  // nullptr for another key length

// AES-CBC without padding (16- or 32-byte key) and HMAC with `mac`, each keyed once, as the CBC record
// protection keys them; for the same measurement. encrypt() and decrypt() work in place on whole blocks
// with a 16-byte IV.
class CbcHmac {
 public:
  virtual ~CbcHmac() = default;
  virtual void encrypt(ByteView iv, std::span<uint8_t> data) = 0;
  virtual void decrypt(ByteView iv, std::span<uint8_t> data) = 0;
  virtual Bytes mac(ByteView data) = 0;
};
std::unique_ptr<CbcHmac> make_cbc_hmac(Hash mac, ByteView mac_key, ByteView enc_key);  // nullptr if unsupported

}  // namespace essl::crypto

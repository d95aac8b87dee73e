// The fuzzing crypto provider: cheap, deterministic stand-ins for the public-key operations, compiled
// only into fuzzing builds (ESSL_FUZZING, set by -Dfuzzing=true). With them a whole-connection fuzzer
// spends its time in the codecs, the table and the record layer instead of in RSA and elliptic curves,
// and reaches application data hundreds of times more often per second.
//
// They keep every check on the shape of the wire values (lengths, the 0x04 point prefix, the premaster
// version bytes), so decoding and validation paths stay reachable, and they are consistent between the
// two ends: both derive the same shared secret, a signature verifies exactly when it was made over the
// same message. They are not secure in any way: a signature is a hash of the message, the shared secret
// is the XOR of both public values, and RSA "encryption" is a fixed mask.
//
// Symmetric crypto (PRF, HMAC, AES-CBC/GCM) and certificate parsing stay real: they are fast, and the
// record layer's correctness under fuzzing is the point.
#pragma once
#ifndef ESSL_FUZZING
#error "crypto_glue/fuzzing_provider.hpp is for fuzzing builds only"
#endif

#include <algorithm>

#include "crypto_glue/hash.hpp"
#include "crypto_glue/kex.hpp"

namespace essl::crypto::fuzzing {

// An ephemeral pair whose public value is `size` random bytes (after `prefix` when it is not zero).
// The shared secret XORs the two public values (without the prefix), so both ends agree; `strip`
// removes leading zero bytes as finite-field DH does (RFC 5246 8.1.2).
class XorAgreement final : public KeyAgreement {
 public:
  XorAgreement(size_t size, uint8_t prefix, bool strip, Rng& rng) : prefix_(prefix), strip_(strip) {
    if (prefix_ != 0) pub_.push_back(prefix_);
    Bytes r(size);
    rng.fill(r);
    if (strip_) r[0] = uint8_t(r[0] | 1);  // never all zero, never with a leading zero byte
    pub_.insert(pub_.end(), r.begin(), r.end());
  }

  Bytes public_value() const override { return pub_; }

  Result<Bytes, AlertDescription> agree(ByteView peer) override {
    const size_t skip = prefix_ != 0 ? 1 : 0;
    const size_t size = pub_.size() - skip;
    if (strip_ ? (peer.empty() || peer.size() > size) : peer.size() != pub_.size())
      return fail(AlertDescription::illegal_parameter);
    if (skip && peer[0] != prefix_) return fail(AlertDescription::illegal_parameter);
    // Right-align the peer's value (DH values are sent without leading zeros).
    Bytes z(pub_.begin() + ptrdiff_t(skip), pub_.end());
    const ByteView pv = peer.subspan(skip);
    for (size_t i = 0; i < pv.size(); ++i) z[size - pv.size() + i] ^= pv[i];
    const size_t half = prefix_ == 0x04 ? size / 2 : size;  // an EC point's x coordinate
    z.resize(half);
    size_t zeros = 0;
    while (zeros < z.size() && z[zeros] == 0) ++zeros;
    if (zeros == z.size()) return fail(AlertDescription::illegal_parameter);
    if (strip_) z.erase(z.begin(), z.begin() + ptrdiff_t(zeros));
    return z;
  }

 private:
  uint8_t prefix_;
  bool strip_;
  Bytes pub_;
};

// Field sizes of the supported named groups (RFC 8422 5.1.1): the point is 0x04 || x || y.
inline size_t ec_field_bytes(uint16_t group) {
  switch (group) {
    case 23: return 32;
    case 24: return 48;
    case 25: return 66;
    default: return 0;
  }
}

inline std::unique_ptr<KeyAgreement> ecdh(uint16_t group, Rng& rng) {
  if (group == 29) return std::make_unique<XorAgreement>(32, 0, false, rng);
  const size_t field = ec_field_bytes(group);
  if (field == 0) return nullptr;
  return std::make_unique<XorAgreement>(2 * field, 0x04, false, rng);
}

inline std::unique_ptr<KeyAgreement> dh(const DhParams& params, Rng& rng) {
  if (params.p.size() < 128 || params.g.empty()) return nullptr;  // the real provider's 1024-bit floor
  return std::make_unique<XorAgreement>(params.p.size() - 1, 0, true, rng);
}

// RSA key transport: the premaster under a fixed mask. Decryption keeps the real provider's rule that
// a wrong length or version gives a random premaster.
constexpr uint8_t rsa_mask = 0xa5;

inline Bytes rsa_encrypt_premaster(ByteView premaster) {
  Bytes out(premaster.begin(), premaster.end());
  for (uint8_t& b : out) b ^= rsa_mask;
  return out;
}

inline Bytes rsa_decrypt_premaster(ByteView encrypted, uint16_t client_version, Rng& rng) {
  Bytes out(48);
  rng.fill(out);
  if (encrypted.size() != out.size()) return out;
  Bytes pms(encrypted.begin(), encrypted.end());
  for (uint8_t& b : pms) b ^= rsa_mask;
  if (pms[0] != uint8_t(client_version >> 8) || pms[1] != uint8_t(client_version)) return out;
  return pms;
}

// A signature is SHA-256 over the scheme and the message.
inline Bytes sign(uint16_t scheme, ByteView message) {
  Bytes in = {uint8_t(scheme >> 8), uint8_t(scheme)};
  in.insert(in.end(), message.begin(), message.end());
  return hash(Hash::sha256, in);
}

inline bool verify(uint16_t scheme, ByteView message, ByteView signature) {
  const Bytes expect = sign(scheme, message);
  return std::equal(expect.begin(), expect.end(), signature.begin(), signature.end());
}

}  // namespace essl::crypto::fuzzing

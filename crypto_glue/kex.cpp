// Key exchange: ECDH (RFC 8422), X25519 (RFC 7748, RFC 8422 5.11), finite-field DH (RFC 5246 8.1.2,
// RFC 7919) and RSA key transport (RFC 5246 7.4.7.1).
#include "crypto_glue/kex.hpp"

#include <botan/ber_dec.h>
#include <botan/bigint.h>
#include <botan/curve25519.h>
#include <botan/dh.h>
#include <botan/dl_group.h>
#include <botan/ec_group.h>
#include <botan/ecdh.h>
#include <botan/pem.h>
#include <botan/pubkey.h>
#include <botan/rsa.h>

#include <string_view>

#include "crypto_glue/botan_glue.hpp"
#ifdef ESSL_FUZZING
#include "crypto_glue/fuzzing_provider.hpp"
#endif

namespace essl::crypto {

namespace {

constexpr uint16_t group_secp256r1 = 23;
constexpr uint16_t group_secp384r1 = 24;
constexpr uint16_t group_secp521r1 = 25;
constexpr uint16_t group_x25519 = 29;
constexpr size_t premaster_size = 48;  // RFC 5246 7.4.7.1
constexpr size_t min_dh_bits = 1024;   // smaller groups are breakable (Logjam)

const char* curve_name(uint16_t group) {
  switch (group) {
    case group_secp256r1: return "secp256r1";
    case group_secp384r1: return "secp384r1";
    case group_secp521r1: return "secp521r1";
    default: return nullptr;
  }
}

// Whether every byte is zero, without a data-dependent branch.
bool all_zero_ct(ByteView b) {
  uint8_t acc = 0;
  for (uint8_t x : b) acc |= x;
  return ((static_cast<uint32_t>(acc) - 1U) >> 31) != 0;
}

class EcdhAgreement final : public KeyAgreement {
 public:
  EcdhAgreement(const Botan::EC_Group& group, std::unique_ptr<Botan::ECDH_PrivateKey> key)
      : group_(group), key_(std::move(key)) {}

  Bytes public_value() const override {
    return key_->public_point().encode(Botan::PointGFp::UNCOMPRESSED);
  }

  Result<Bytes, AlertDescription> agree(ByteView peer) override {
    // RFC 8422 5.1.2/5.4: only the uncompressed form was negotiated; the point must be on the curve
    // and not the point at infinity (NIST prime curves have cofactor 1, so no subgroup check).
    const size_t field = group_.get_p_bytes();
    if (peer.size() != 1 + 2 * field || peer[0] != 0x04) return fail(AlertDescription::illegal_parameter);
    try {
      const Botan::PointGFp point = group_.OS2ECP(peer.data(), peer.size());
      if (point.is_zero() || !point.on_the_curve()) return fail(AlertDescription::illegal_parameter);
      Botan::PK_Key_Agreement ka(*key_, system_botan_rng(), "Raw");
      // RFC 8422 5.10: the premaster secret is the x coordinate, FE2OSP to the field size.
      return to_bytes(ka.derive_key(0, peer.data(), peer.size()).bits_of());
    } catch (...) {
      return fail(AlertDescription::illegal_parameter);
    }
  }

 private:
  Botan::EC_Group group_;
  std::unique_ptr<Botan::ECDH_PrivateKey> key_;
};

class X25519Agreement final : public KeyAgreement {
 public:
  explicit X25519Agreement(std::unique_ptr<Botan::Curve25519_PrivateKey> key) : key_(std::move(key)) {}

  Bytes public_value() const override { return key_->public_value(); }

  Result<Bytes, AlertDescription> agree(ByteView peer) override {
    if (peer.size() != 32) return fail(AlertDescription::illegal_parameter);
    try {
      Botan::PK_Key_Agreement ka(*key_, system_botan_rng(), "Raw");
      Bytes z = to_bytes(ka.derive_key(0, peer.data(), peer.size()).bits_of());
      // RFC 8422 5.11 / RFC 7748 6.1: an all-zero result means a small-order peer value.
      if (z.size() != 32 || all_zero_ct(z)) return fail(AlertDescription::illegal_parameter);
      return z;
    } catch (...) {
      return fail(AlertDescription::illegal_parameter);
    }
  }

 private:
  std::unique_ptr<Botan::Curve25519_PrivateKey> key_;
};

class DhAgreement final : public KeyAgreement {
 public:
  explicit DhAgreement(std::unique_ptr<Botan::DH_PrivateKey> key) : key_(std::move(key)) {}

  Bytes public_value() const override { return Botan::BigInt::encode(key_->get_y()); }

  Result<Bytes, AlertDescription> agree(ByteView peer) override {
    try {
      const Botan::BigInt& p = key_->group_p();
      const Botan::BigInt y(peer.data(), peer.size());
      // 1 < Y < p - 1 rules out the degenerate values 0, 1 and p - 1 (RFC 7919 5.1).
      if (y <= 1 || y >= p - 1) return fail(AlertDescription::illegal_parameter);
      Botan::PK_Key_Agreement ka(*key_, system_botan_rng(), "Raw");
      const Botan::secure_vector<uint8_t> z = ka.derive_key(0, peer.data(), peer.size()).bits_of();
      // RFC 5246 8.1.2: leading bytes of Z that contain all zero bits are stripped. Count them without
      // a data-dependent branch; the resulting length is inherent to the protocol.
      size_t zeros = 0;
      uint32_t still = 1;
      for (uint8_t b : z) {
        still &= static_cast<uint32_t>((static_cast<uint32_t>(b) - 1U) >> 31);
        zeros += still;
      }
      if (zeros == z.size()) return fail(AlertDescription::illegal_parameter);
      return Bytes(z.begin() + static_cast<ptrdiff_t>(zeros), z.end());
    } catch (...) {
      return fail(AlertDescription::illegal_parameter);
    }
  }

 private:
  std::unique_ptr<Botan::DH_PrivateKey> key_;
};

const Botan::DL_Group& ffdhe2048() {
  static const Botan::DL_Group g("ffdhe/ietf/2048");
  return g;
}

}  // namespace

bool group_supported(uint16_t named_group) {
  return curve_name(named_group) != nullptr || named_group == group_x25519;
}

std::unique_ptr<KeyAgreement> ecdh(uint16_t named_group, Rng& rng) {
#ifdef ESSL_FUZZING
  return fuzzing::ecdh(named_group, rng);
#endif
  try {
    BotanRng brng(rng);
    if (named_group == group_x25519)
      return std::make_unique<X25519Agreement>(std::make_unique<Botan::Curve25519_PrivateKey>(brng));
    const char* name = curve_name(named_group);
    if (name == nullptr) return nullptr;
    Botan::EC_Group group(name);
    auto key = std::make_unique<Botan::ECDH_PrivateKey>(brng, group);
    return std::make_unique<EcdhAgreement>(group, std::move(key));
  } catch (...) {
    return nullptr;
  }
}

std::unique_ptr<KeyAgreement> ecdh_from_private(uint16_t named_group, ByteView private_key) {
  try {
    if (named_group == group_x25519) {
      if (private_key.size() != 32) return nullptr;
      const Botan::secure_vector<uint8_t> k(private_key.begin(), private_key.end());
      return std::make_unique<X25519Agreement>(std::make_unique<Botan::Curve25519_PrivateKey>(k));
    }
    const char* name = curve_name(named_group);
    if (name == nullptr) return nullptr;
    Botan::EC_Group group(name);
    const Botan::BigInt x(private_key.data(), private_key.size());
    auto key = std::make_unique<Botan::ECDH_PrivateKey>(system_botan_rng(), group, x);
    return std::make_unique<EcdhAgreement>(group, std::move(key));
  } catch (...) {
    return nullptr;
  }
}

std::unique_ptr<KeyAgreement> ecdh_static(const PrivateKey& key) {
  if (!key.impl || !key.impl->key) return nullptr;
  try {
    const auto* ec = dynamic_cast<const Botan::EC_PrivateKey*>(key.impl->key.get());
    if (ec == nullptr) return nullptr;
    const Botan::EC_Group& group = ec->domain();
    auto dh = std::make_unique<Botan::ECDH_PrivateKey>(system_botan_rng(), group, ec->private_value());
    return std::make_unique<EcdhAgreement>(group, std::move(dh));
  } catch (...) {
    return nullptr;
  }
}

Bytes ec_public_point(const Certificate& cert) {
  if (!cert.impl) return {};
  const auto* ec = dynamic_cast<const Botan::EC_PublicKey*>(cert.impl->key.get());
  if (ec == nullptr) return {};
  try {
    return ec->public_point().encode(Botan::PointGFp::UNCOMPRESSED);
  } catch (...) {
    return {};
  }
}

const DhParams& default_dh_params() {
  static const DhParams params{Botan::BigInt::encode(ffdhe2048().get_p()),
                               Botan::BigInt::encode(ffdhe2048().get_g())};
  return params;
}

Result<DhParams, std::string> parse_dh_params(ByteView der_or_pem) {
  try {
    Botan::secure_vector<uint8_t> der;
    const std::string_view text(reinterpret_cast<const char*>(der_or_pem.data()), der_or_pem.size());
    if (text.find("-----BEGIN DH PARAMETERS-----") != std::string_view::npos) {
      const size_t at = text.find("-----BEGIN DH PARAMETERS-----");
      const std::string_view end = "-----END DH PARAMETERS-----";
      const size_t stop = text.find(end, at);
      if (stop == std::string_view::npos) return fail(std::string("unterminated DH PARAMETERS block"));
      der = Botan::PEM_Code::decode_check_label(std::string(text.substr(at, stop + end.size() - at)),
                                                "DH PARAMETERS");
    } else {
      der.assign(der_or_pem.begin(), der_or_pem.end());
    }
    // PKCS #3 6: DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER, privateValueLength INTEGER OPTIONAL }
    Botan::BigInt p, g;
    Botan::BER_Decoder dec(der);
    Botan::BER_Decoder seq = dec.start_cons(Botan::SEQUENCE);
    seq.decode(p).decode(g);
    if (seq.more_items()) {
      size_t private_value_length = 0;
      seq.decode(private_value_length);
    }
    seq.verify_end();
    dec.verify_end();
    if (p < 3 || p.is_even() || g <= 1 || g >= p - 1) return fail(std::string("invalid DH parameters"));
    return DhParams{Botan::BigInt::encode(p), Botan::BigInt::encode(g)};
  } catch (const std::exception& e) {
    return fail(std::string("DH parameters: ") + e.what());
  }
}

std::unique_ptr<KeyAgreement> dh(const DhParams& params, Rng& rng) {
#ifdef ESSL_FUZZING
  return fuzzing::dh(params, rng);
#endif
  try {
    BotanRng brng(rng);
    const DhParams& def = default_dh_params();
    if (params.p == def.p && params.g == def.g)
      return std::make_unique<DhAgreement>(std::make_unique<Botan::DH_PrivateKey>(brng, ffdhe2048()));
    const Botan::BigInt p(params.p.data(), params.p.size());
    const Botan::BigInt g(params.g.data(), params.g.size());
    if (p.bits() < min_dh_bits || p.is_even() || g <= 1 || g >= p - 1) return nullptr;
    const Botan::DL_Group group(p, g);
    return std::make_unique<DhAgreement>(std::make_unique<Botan::DH_PrivateKey>(brng, group));
  } catch (...) {
    return nullptr;
  }
}

Result<Bytes, AlertDescription> rsa_encrypt_premaster(const Certificate& server_cert, ByteView premaster,
                                                      Rng& rng) {
  if (!server_cert.impl || !server_cert.impl->key || server_cert.key_algo() != KeyAlgo::rsa)
    return fail(AlertDescription::handshake_failure);
#ifdef ESSL_FUZZING
  (void)rng;
  return fuzzing::rsa_encrypt_premaster(premaster);
#endif
  try {
    BotanRng brng(rng);
    Botan::PK_Encryptor_EME enc(*server_cert.impl->key, brng, "PKCS1v15");
    return enc.encrypt(premaster.data(), premaster.size(), brng);
  } catch (...) {
    return fail(AlertDescription::internal_error);
  }
}

Bytes rsa_decrypt_premaster(const PrivateKey& key, ByteView encrypted, uint16_t client_version, Rng& rng) {
#ifdef ESSL_FUZZING
  (void)key;
  return fuzzing::rsa_decrypt_premaster(encrypted, client_version, rng);
#endif
  BotanRng brng(rng);
  Bytes out(premaster_size);
  if (!key.impl || !key.impl->key || key.impl->algo != KeyAlgo::rsa) {
    rng.fill(out);
    return out;
  }
  try {
    // RFC 5246 7.4.7.1: on any failure continue with a random premaster secret, and do it without a
    // visible difference. Botan decrypts, checks the length and the two version bytes, and selects
    // between the result and a random value with masks.
    const uint8_t version[2] = {static_cast<uint8_t>(client_version >> 8), static_cast<uint8_t>(client_version)};
    const uint8_t offsets[2] = {0, 1};
    std::lock_guard<std::mutex> lock(key.impl->mu);
    if (!key.impl->decryptor)
      key.impl->decryptor =
          std::make_unique<Botan::PK_Decryptor_EME>(*key.impl->key, system_botan_rng(), "PKCS1v15");
    const Botan::secure_vector<uint8_t> pms = key.impl->decryptor->decrypt_or_random(encrypted.data(), encrypted.size(), premaster_size, brng, version, offsets, 2);
    std::copy(pms.begin(), pms.end(), out.begin());
  } catch (...) {
    // Only public properties of the ciphertext (its length, or a value not below the modulus) get here.
    rng.fill(out);
  }
  return out;
}

}  // namespace essl::crypto

// Wycheproof vectors through the glue: AES-GCM and AES-CBC as the record layer drives them, HMAC, ECDH
// and X25519 through KeyAgreement::agree, RSA PKCS#1 v1.5 through rsa_decrypt_premaster.
#include <gtest/gtest.h>

#include "crypto_glue/kex.hpp"
#include "crypto_glue/record_protection.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

using test::hex;
using test::Json;
using test::load_json;
using test::to_hex;

Json wycheproof(const std::string& name) { return load_json(test::data_path("wycheproof/" + name)); }

TEST(Wycheproof, AesGcm) {
  const Json j = wycheproof("aes_gcm_test.json");
  size_t valid = 0, invalid = 0;
  for (const Json& g : j["testGroups"].arr) {
    const int key_bits = g["keySize"].as_int();
    // TLS uses 12-byte nonces, 16-byte tags and AES-128/256 only.
    if (g["ivSize"].as_int() != 96 || g["tagSize"].as_int() != 128 || (key_bits != 128 && key_bits != 256))
      continue;
    for (const Json& t : g["tests"].arr) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].as_int()));
      Bytes buf = hex(t["ct"].str);
      const Bytes tag = hex(t["tag"].str);
      buf.insert(buf.end(), tag.begin(), tag.end());
      auto r = gcm_open(hex(t["key"].str), hex(t["iv"].str), hex(t["aad"].str), buf);
      if (t["result"].str == "valid") {
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(to_hex(Bytes(buf.begin(), buf.begin() + static_cast<ptrdiff_t>(r.value()))), t["msg"].str);
        ++valid;
      } else if (t["result"].str == "invalid") {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), AlertDescription::bad_record_mac);
        ++invalid;
      }
    }
  }
  EXPECT_GT(valid, 20u);
  EXPECT_GT(invalid, 10u);
}

// Valid Wycheproof GCM cases decrypted by a record-layer object: the 12-byte IV split into the 4-byte
// fixed part and the explicit nonce, the AAD replaced by the record's own (so the vector's tag no longer
// applies): re-seal then open must give the message back.
TEST(Wycheproof, AesGcmThroughRecordLayer) {
  const Json j = wycheproof("aes_gcm_test.json");
  size_t n = 0;
  for (const Json& g : j["testGroups"].arr) {
    if (g["ivSize"].as_int() != 96 || g["tagSize"].as_int() != 128) continue;
    const int key_bits = g["keySize"].as_int();
    if (key_bits != 128 && key_bits != 256) continue;
    const SuiteSpec s{KeyExchange::rsa, key_bits == 128 ? Cipher::aes_128_gcm : Cipher::aes_256_gcm, Hash::null,
                      Hash::sha256};
    for (const Json& t : g["tests"].arr) {
      if (t["result"].str != "valid") continue;
      const Bytes iv = hex(t["iv"].str);
      const Bytes fixed(iv.begin(), iv.begin() + 4);
      uint64_t seq = 0;
      for (size_t i = 4; i < 12; ++i) seq = seq << 8 | iv[i];
      auto w = make_record_protection(Version::tlsv1_2, s, {}, hex(t["key"].str), fixed, true);
      auto r = make_record_protection(Version::tlsv1_2, s, {}, hex(t["key"].str), fixed, true);
      ASSERT_TRUE(w && r);
      const Bytes msg = hex(t["msg"].str);
      if (msg.size() > (size_t{1} << 14)) continue;
      Bytes rec;
      w->protect(23, 0x0303, seq, msg, rec, system_rng());
      ASSERT_EQ(Bytes(rec.begin(), rec.begin() + 8), Bytes(iv.begin() + 4, iv.end()));  // nonce_explicit
      // The AAD only changes the tag: the ciphertext is the vector's (same key and nonce).
      const Bytes ct = hex(t["ct"].str);
      EXPECT_EQ(Bytes(rec.begin() + 8, rec.begin() + 8 + static_cast<ptrdiff_t>(ct.size())), ct);
      auto res = r->unprotect(23, 0x0303, seq, rec);
      ASSERT_TRUE(res.ok());
      EXPECT_EQ(Bytes(res->begin(), res->end()), msg);
      ++n;
    }
  }
  EXPECT_GT(n, 20u);
}

// PKCS#5 padding is not TLS padding, so the CBC layer is checked on the block level: the decryption
// must be the message plus its PKCS#5 padding, and invalid cases must fail the padding or length check.
TEST(Wycheproof, AesCbcPkcs5) {
  const Json j = wycheproof("aes_cbc_pkcs5_test.json");
  size_t valid = 0, invalid = 0;
  for (const Json& g : j["testGroups"].arr) {
    const int key_bits = g["keySize"].as_int();
    if (key_bits != 128 && key_bits != 256) continue;
    for (const Json& t : g["tests"].arr) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].as_int()));
      Bytes buf = hex(t["ct"].str);
      const bool decrypted = cbc_decrypt(hex(t["key"].str), hex(t["iv"].str), buf);
      bool pad_ok = decrypted && !buf.empty();
      size_t pad = 0;
      if (pad_ok) {
        pad = buf.back();
        pad_ok = pad >= 1 && pad <= 16 && pad <= buf.size();
        for (size_t i = 0; pad_ok && i < pad; ++i) pad_ok = buf[buf.size() - 1 - i] == pad;
      }
      if (t["result"].str == "valid") {
        ASSERT_TRUE(pad_ok);
        EXPECT_EQ(to_hex(Bytes(buf.begin(), buf.end() - static_cast<ptrdiff_t>(pad))), t["msg"].str);
        ++valid;
      } else {
        EXPECT_FALSE(pad_ok);
        ++invalid;
      }
    }
  }
  EXPECT_GT(valid, 20u);
  EXPECT_GT(invalid, 10u);
}

void run_hmac(const std::string& file, Hash h) {
  const Json j = wycheproof(file);
  size_t n = 0;
  for (const Json& g : j["testGroups"].arr) {
    const size_t tag_bytes = static_cast<size_t>(g["tagSize"].as_int()) / 8;
    for (const Json& t : g["tests"].arr) {
      SCOPED_TRACE(file + " tcId " + std::to_string(t["tcId"].as_int()));
      Bytes mac = hmac(h, hex(t["key"].str), hex(t["msg"].str));
      ASSERT_EQ(mac.size(), hash_size(h));
      mac.resize(std::min(tag_bytes, mac.size()));
      const bool same = equal_ct(mac, hex(t["tag"].str));
      EXPECT_EQ(same, t["result"].str == "valid");
      ++n;
    }
  }
  EXPECT_GT(n, 50u);
}

TEST(Wycheproof, Hmac) {
  run_hmac("hmac_sha1_test.json", Hash::sha);
  run_hmac("hmac_sha256_test.json", Hash::sha256);
  run_hmac("hmac_sha384_test.json", Hash::sha384);
}

void run_ecdh(const std::string& file, uint16_t group) {
  const Json j = wycheproof(file);
  size_t valid = 0, rejected = 0;
  for (const Json& g : j["testGroups"].arr) {
    for (const Json& t : g["tests"].arr) {
      SCOPED_TRACE(file + " tcId " + std::to_string(t["tcId"].as_int()) + " " + t["comment"].str);
      auto ka = ecdh_from_private(group, hex(t["private"].str));
      ASSERT_TRUE(ka);
      auto r = ka->agree(hex(t["public"].str));
      const std::string& result = t["result"].str;
      if (result == "valid") {
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(to_hex(r.value()), t["shared"].str);
        ++valid;
      } else if (result == "invalid") {
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), AlertDescription::illegal_parameter);
        ++rejected;
      } else if (r.ok()) {  // acceptable: either outcome, but never a wrong secret
        EXPECT_EQ(to_hex(r.value()), t["shared"].str);
      } else {
        ++rejected;
      }
    }
  }
  EXPECT_GT(valid, 100u);
  EXPECT_GT(rejected, 5u);
}

TEST(Wycheproof, EcdhSecp256r1) { run_ecdh("ecdh_secp256r1_ecpoint_test.json", 23); }
TEST(Wycheproof, EcdhSecp384r1) { run_ecdh("ecdh_secp384r1_ecpoint_test.json", 24); }

TEST(Wycheproof, X25519) {
  const Json j = wycheproof("x25519_test.json");
  size_t valid = 0, zero_rejected = 0;
  for (const Json& g : j["testGroups"].arr) {
    for (const Json& t : g["tests"].arr) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].as_int()) + " " + t["comment"].str);
      auto ka = ecdh_from_private(29, hex(t["private"].str));
      ASSERT_TRUE(ka);
      auto r = ka->agree(hex(t["public"].str));
      if (t.has_flag("ZeroSharedSecret")) {
        // RFC 8422 5.11: an all-zero shared secret is refused.
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error(), AlertDescription::illegal_parameter);
        ++zero_rejected;
        continue;
      }
      if (t["result"].str == "invalid") {
        EXPECT_FALSE(r.ok());
        continue;
      }
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(to_hex(r.value()), t["shared"].str);
      valid += t["result"].str == "valid";
    }
  }
  EXPECT_GT(valid, 200u);
  EXPECT_GT(zero_rejected, 10u);
}

// Bleichenbacher countermeasure: whatever the ciphertext (valid PKCS#1 of the wrong length, broken
// padding, wrong size), the result is 48 bytes that depend on the RNG, never an error and never the
// decrypted message.
TEST(Wycheproof, RsaPkcs1DecryptNeverFails) {
  const Json j = wycheproof("rsa_pkcs1_2048_test.json");
  size_t n = 0;
  for (const Json& g : j["testGroups"].arr) {
    const std::string pem = g["privateKeyPem"].str;
    auto key = PrivateKey::parse(Bytes(pem.begin(), pem.end()), "");
    ASSERT_TRUE(key.ok()) << key.error();
    for (const Json& t : g["tests"].arr) {
      SCOPED_TRACE("tcId " + std::to_string(t["tcId"].as_int()));
      const Bytes ct = hex(t["ct"].str);
      auto rng1 = deterministic_rng(1000 + static_cast<uint64_t>(t["tcId"].as_int()));
      auto rng2 = deterministic_rng(2000 + static_cast<uint64_t>(t["tcId"].as_int()));
      const Bytes a = rsa_decrypt_premaster(key.value(), ct, 0x0303, *rng1);
      const Bytes b = rsa_decrypt_premaster(key.value(), ct, 0x0303, *rng2);
      ASSERT_EQ(a.size(), 48u);
      ASSERT_EQ(b.size(), 48u);
      EXPECT_NE(a, b);  // random, not derived from the ciphertext
      ++n;
    }
  }
  EXPECT_GT(n, 30u);
}

}  // namespace
}  // namespace essl::crypto

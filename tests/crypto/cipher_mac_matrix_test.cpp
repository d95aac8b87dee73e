// Every cipher x MAC x version combination the record layer accepts: RC4, DES, 3DES, AES-128/256-CBC
// with HMAC-MD5/SHA-1/SHA-256/SHA-384 (the SSL 3.0 MAC with MD5 and SHA-1 at SSL 3.0), and AES-GCM at
// TLS 1.2. Each one round-trips several records of many lengths on one pair of objects, and detects a
// changed byte, a wrong sequence number, content type or version, and a truncated record.
#include <gtest/gtest.h>

#include <string>

#include "crypto_glue/record_protection.hpp"
#include "record_keys.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

constexpr uint8_t app_data = 23;

struct Combo {
  Version v;
  SuiteSpec s;
};

std::string name_of(const Combo& c) {
  std::string n = std::string(version_atom(c.v)) + "_" + std::string(atom(c.s.cipher)) + "_" + std::string(atom(c.s.mac));
  for (char& ch : n)
    if (ch == '.') ch = '_';
  return n;
}

std::vector<Combo> combos() {
  std::vector<Combo> out;
  const Cipher non_aead[] = {Cipher::rc4_128, Cipher::des_cbc, Cipher::des3_ede_cbc, Cipher::aes_128_cbc,
                             Cipher::aes_256_cbc};
  for (Version v : {Version::sslv3, Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2})
    for (Cipher c : non_aead)
      for (Hash h : {Hash::md5, Hash::sha, Hash::sha256, Hash::sha384}) {
        if (v == Version::sslv3 && h != Hash::md5 && h != Hash::sha) continue;  // RFC 6101 5.2.3.1
        out.push_back({v, {KeyExchange::rsa, c, h}});
      }
  out.push_back({Version::tlsv1_2, {KeyExchange::rsa, Cipher::aes_128_gcm, Hash::null, Hash::sha256}});
  out.push_back({Version::tlsv1_2, {KeyExchange::rsa, Cipher::aes_256_gcm, Hash::null, Hash::sha384}});
  return out;
}

Bytes pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 13 + salt);
  return b;
}

class CipherMac : public testing::TestWithParam<Combo> {
 protected:
  std::unique_ptr<RecordProtection> make(const Keys& k) {
    return make_record_protection(GetParam().v, GetParam().s, k.mac, k.enc, k.iv, true);
  }
  uint16_t wire() const { return static_cast<uint16_t>(GetParam().v); }
};

TEST_P(CipherMac, KeyLengths) {
  const Combo& c = GetParam();
  const KeyLengths k = key_lengths(c.v, c.s);
  const size_t enc = c.s.cipher == Cipher::des_cbc ? 8 : c.s.cipher == Cipher::des3_ede_cbc ? 24
                     : (c.s.cipher == Cipher::aes_256_cbc || c.s.cipher == Cipher::aes_256_gcm) ? 32 : 16;
  EXPECT_EQ(k.enc_key, enc);
  EXPECT_EQ(k.mac_key, hash_size(c.s.mac));
  const size_t block = c.s.cipher == Cipher::des_cbc || c.s.cipher == Cipher::des3_ede_cbc ? 8 : 16;
  if (c.s.cipher == Cipher::rc4_128) EXPECT_EQ(k.iv, 0u);
  else if (c.s.mac == Hash::null) EXPECT_EQ(k.iv, 4u);
  else EXPECT_EQ(k.iv, c.v <= Version::tlsv1 ? block : 0u);
}

TEST_P(CipherMac, RoundTripAcrossRecords) {
  auto rng = deterministic_rng(11);
  const Keys k = make_keys(GetParam(), *rng);
  auto w = make(k), r = make(k);
  ASSERT_TRUE(w && r);
  uint64_t seq = 0;
  // Stream ciphers and chained IVs carry state from record to record: one pair of objects for all.
  for (size_t len : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 255, 1000, 4096, 16383, 16384}) {
    const Bytes pt = pattern(len, static_cast<uint8_t>(seq));
    Bytes out;
    w->protect(app_data, wire(), seq, pt, out, *rng);
    EXPECT_LE(out.size(), pt.size() + w->max_overhead()) << len;
    if (len > 16) {
      EXPECT_NE(Bytes(out.begin(), out.begin() + 16), Bytes(pt.begin(), pt.begin() + 16));
    }
    auto res = r->unprotect(app_data, wire(), seq, out);
    ASSERT_TRUE(res.ok()) << "len " << len;
    EXPECT_EQ(Bytes(res->begin(), res->end()), pt) << "len " << len;
    ++seq;
  }
}

TEST_P(CipherMac, TamperingIsBadRecordMac) {
  auto rng = deterministic_rng(12);
  const Keys k = make_keys(GetParam(), *rng);
  // 101 bytes: the last CBC block always holds some MAC, so that a garbled last block cannot pass as
  // SSL 3.0's unchecked padding.
  const Bytes pt = pattern(101, 5);
  Bytes rec;
  make(k)->protect(app_data, wire(), 4, pt, rec, *rng);
  auto open = [&](Bytes b, uint64_t seq, uint8_t type, uint16_t version) {
    return make(k)->unprotect(type, version, seq, b);
  };
  ASSERT_TRUE(open(rec, 4, app_data, wire()).ok());
  for (size_t i = 0; i < rec.size(); ++i) {
    Bytes bad = rec;
    bad[i] ^= 0x20;
    auto res = open(bad, 4, app_data, wire());
    ASSERT_FALSE(res.ok()) << "byte " << i;
    EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
  }
  EXPECT_FALSE(open(rec, 5, app_data, wire()).ok());
  EXPECT_FALSE(open(rec, 4, 22, wire()).ok());
  // SSL 3.0's MAC does not cover the version (RFC 6101 5.2.3.1); every other one does.
  if (GetParam().v != Version::sslv3) {
    EXPECT_FALSE(open(rec, 4, app_data, wire() ^ 1).ok());
  }
  for (size_t cut : {size_t{1}, size_t{8}, rec.size() - 1, rec.size()}) {
    Bytes shorter(rec.begin(), rec.end() - static_cast<ptrdiff_t>(cut));
    auto res = open(shorter, 4, app_data, wire());
    ASSERT_FALSE(res.ok()) << "cut " << cut;
    EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
  }
}

TEST_P(CipherMac, KeysAndSizesAreChecked) {
  const Combo& c = GetParam();
  auto rng = deterministic_rng(13);
  Keys k = make_keys(c, *rng);
  Keys short_key = k;
  short_key.enc.pop_back();
  EXPECT_EQ(make_record_protection(c.v, c.s, short_key.mac, short_key.enc, short_key.iv, true), nullptr);
  Keys long_iv = k;
  long_iv.iv.push_back(0);
  EXPECT_EQ(make_record_protection(c.v, c.s, long_iv.mac, long_iv.enc, long_iv.iv, true), nullptr);
  // A record over 2^14 + 2048 bytes is record_overflow whatever it holds.
  Bytes huge((size_t{1} << 14) + 2049, 0);
  auto res = make(k)->unprotect(app_data, wire(), 0, huge);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error(), AlertDescription::record_overflow);
}

INSTANTIATE_TEST_SUITE_P(All, CipherMac, testing::ValuesIn(combos()),
                         [](const testing::TestParamInfo<Combo>& p) { return name_of(p.param); });

// Combinations that do not exist are refused, not made.
TEST(CipherMacRefused, Combinations) {
  const Bytes mac20(20), mac32(32), key16(16), iv16(16), iv4(4);
  EXPECT_EQ(make_record_protection(Version::sslv3, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha256}, mac32, key16,
                                   iv16, true),
            nullptr);
  EXPECT_EQ(make_record_protection(Version::tlsv1_1, {KeyExchange::rsa, Cipher::aes_128_gcm, Hash::null, Hash::sha256},
                                   {}, key16, iv4, true),
            nullptr);
  EXPECT_EQ(make_record_protection(Version::tlsv1, {KeyExchange::rsa, Cipher::null, Hash::sha}, mac20, {}, {}, true),
            nullptr);
  EXPECT_EQ(make_record_protection(Version::tlsv1, {KeyExchange::rsa, Cipher::rc4_128, Hash::null}, {}, key16, {}, true),
            nullptr);
}

}  // namespace
}  // namespace essl::crypto

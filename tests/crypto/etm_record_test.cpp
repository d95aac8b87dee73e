// Encrypt-then-MAC records (RFC 7366): round trips for every CBC shape from TLS 1.0 on, tampering, the
// record layout checked against a record built here from the raw primitives (AES-CBC and HMAC), a bad
// padding under a good MAC, and the combinations where encrypt-then-MAC does not exist.
#include <gtest/gtest.h>

#include <string>

#include "crypto_glue/record_protection.hpp"
#include "record_keys.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

constexpr uint8_t app_data = 23;

struct Shape {
  Version v;
  SuiteSpec s;
};

std::string name_of(const Shape& sh) {
  return std::to_string(static_cast<int>(sh.v)) + "/" + std::string(atom(sh.s.cipher)) + "/" + std::string(atom(sh.s.mac));
}

std::vector<Shape> cbc_shapes() {
  using K = KeyExchange;
  std::vector<Shape> out;
  for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2})
    for (Cipher c : {Cipher::aes_128_cbc, Cipher::aes_256_cbc, Cipher::des3_ede_cbc, Cipher::des_cbc})
      out.push_back({v, {K::rsa, c, Hash::sha}});
  out.push_back({Version::tlsv1_2, {K::rsa, Cipher::aes_128_cbc, Hash::sha256, Hash::sha256}});
  out.push_back({Version::tlsv1_2, {K::ecdhe_rsa, Cipher::aes_256_cbc, Hash::sha384, Hash::sha384}});
  out.push_back({Version::tlsv1, {K::rsa, Cipher::aes_128_cbc, Hash::md5}});
  return out;
}

std::unique_ptr<RecordProtection> make_etm(const Shape& sh, const Keys& k, bool padding_check = true) {
  return make_record_protection(sh.v, sh.s, k.mac, k.enc, k.iv, padding_check, true);
}

Bytes pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + salt);
  return b;
}

Bytes mac_input(uint64_t seq, uint8_t type, uint16_t version, ByteView macced) {
  Bytes in;
  for (int i = 7; i >= 0; --i) in.push_back(static_cast<uint8_t>(seq >> (8 * i)));
  in.push_back(type);
  in.push_back(static_cast<uint8_t>(version >> 8));
  in.push_back(static_cast<uint8_t>(version));
  in.push_back(static_cast<uint8_t>(macced.size() >> 8));
  in.push_back(static_cast<uint8_t>(macced.size()));
  in.insert(in.end(), macced.begin(), macced.end());
  return in;
}

// An AES/HMAC-SHA-1 encrypt-then-MAC record built from the primitives: [iv] || AES-CBC(padded) || MAC.
Bytes build_record(Version v, const Keys& k, ByteView explicit_iv, uint64_t seq, Bytes padded) {
  const ByteView iv = v >= Version::tlsv1_1 ? explicit_iv : ByteView(k.iv);
  EXPECT_TRUE(cbc_encrypt(k.enc, iv, padded));
  Bytes rec;
  if (v >= Version::tlsv1_1) rec.assign(explicit_iv.begin(), explicit_iv.end());
  rec.insert(rec.end(), padded.begin(), padded.end());
  const Bytes mac = hmac(Hash::sha, k.mac, mac_input(seq, app_data, static_cast<uint16_t>(v), rec));
  rec.insert(rec.end(), mac.begin(), mac.end());
  return rec;
}

TEST(EtmRecord, RoundTripEveryCbcShape) {
  auto rng = deterministic_rng(11);
  for (const Shape& sh : cbc_shapes()) {
    SCOPED_TRACE(name_of(sh));
    const Keys k = make_keys(sh, *rng);
    auto w = make_etm(sh, k);
    auto r = make_etm(sh, k);
    ASSERT_TRUE(w && r);
    uint64_t seq = 0;
    // Several records on the same objects: TLS 1.0 chains the IV across them.
    for (size_t len : {0, 1, 7, 8, 15, 16, 17, 63, 64, 65, 255, 256, 4097, 16383, 16384}) {
      const Bytes pt = pattern(len, static_cast<uint8_t>(seq));
      Bytes out;
      w->protect(app_data, static_cast<uint16_t>(sh.v), seq, pt, out, *rng);
      EXPECT_LE(out.size(), pt.size() + w->max_overhead());
      auto res = r->unprotect(app_data, static_cast<uint16_t>(sh.v), seq, out);
      ASSERT_TRUE(res.ok()) << "len " << len;
      EXPECT_EQ(Bytes(res->begin(), res->end()), pt) << "len " << len;
      ++seq;
    }
  }
}

// Records written one way are not readable the other way: the two constructions are distinct.
TEST(EtmRecord, NotInterchangeableWithMacThenEncrypt) {
  auto rng = deterministic_rng(12);
  for (const Shape& sh : cbc_shapes()) {
    SCOPED_TRACE(name_of(sh));
    const Keys k = make_keys(sh, *rng);
    auto etm = make_etm(sh, k);
    auto mte = make_record_protection(sh.v, sh.s, k.mac, k.enc, k.iv, true, false);
    const Bytes pt = pattern(50, 1);
    Bytes out;
    etm->protect(app_data, static_cast<uint16_t>(sh.v), 0, pt, out, *rng);
    auto res = mte->unprotect(app_data, static_cast<uint16_t>(sh.v), 0, out);
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
  }
}

TEST(EtmRecord, TamperIsDetected) {
  auto rng = deterministic_rng(13);
  for (const Shape& sh : cbc_shapes()) {
    SCOPED_TRACE(name_of(sh));
    const Keys k = make_keys(sh, *rng);
    auto w = make_etm(sh, k);
    const Bytes pt = pattern(40, 9);
    Bytes rec;
    w->protect(app_data, static_cast<uint16_t>(sh.v), 5, pt, rec, *rng);
    for (size_t i = 0; i < rec.size(); ++i) {
      Bytes bad = rec;
      bad[i] ^= 0x01;
      auto res = make_etm(sh, k)->unprotect(app_data, static_cast<uint16_t>(sh.v), 5, bad);
      ASSERT_FALSE(res.ok()) << "byte " << i;
      EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
    }
    const uint16_t v = static_cast<uint16_t>(sh.v);
    for (auto [type, version, seq] : {std::tuple<uint8_t, uint16_t, uint64_t>{app_data, v, 6},
                                      {22, v, 5}, {app_data, static_cast<uint16_t>(v ^ 1), 5}}) {
      Bytes copy = rec;
      auto res = make_etm(sh, k)->unprotect(type, version, seq, copy);
      ASSERT_FALSE(res.ok());
      EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
    }
    for (size_t cut : {size_t{1}, size_t{8}, size_t{16}, rec.size() - 1, rec.size()}) {
      Bytes shorter(rec.begin(), rec.end() - static_cast<ptrdiff_t>(cut));
      auto res = make_etm(sh, k)->unprotect(app_data, v, 5, shorter);
      ASSERT_FALSE(res.ok());
      EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
    }
  }
}

// RFC 7366 3: the MAC covers seq || type || version || length || IV || ciphertext, length being that of
// IV || ciphertext; TLS 1.0 has no IV in the record.
TEST(EtmRecord, LayoutMatchesAnIndependentConstruction) {
  for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2}) {
    SCOPED_TRACE(static_cast<int>(v));
    const Shape sh{v, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha}};
    const Keys k = make_keys(sh, *deterministic_rng(14));
    const std::string text = "essl encrypt-then-MAC record";  // 28 bytes: 3 bytes of padding + length
    Bytes padded(text.begin(), text.end());
    padded.insert(padded.end(), 4, uint8_t{3});
    const Bytes iv = pattern(16, 0x40);
    const Bytes expected = build_record(v, k, iv, 9, padded);
    auto r = make_etm(sh, k);
    Bytes in = expected;
    auto res = r->unprotect(app_data, static_cast<uint16_t>(v), 9, in);
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(std::string(res->begin(), res->end()), text);
    if (v == Version::tlsv1) {
      // No random IV: essl writes exactly the same bytes.
      Bytes out;
      make_etm(sh, k)->protect(app_data, 0x0301, 9, Bytes(text.begin(), text.end()), out, system_rng());
      EXPECT_EQ(test::to_hex(out), test::to_hex(expected));
    }
  }
}

// After a good MAC the padding is still checked (only its length byte with TLS 1.0's padding_check
// false); a bad one is bad_record_mac, and so is a padding length longer than the record.
TEST(EtmRecord, BadPaddingUnderAGoodMac) {
  for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2}) {
    SCOPED_TRACE(static_cast<int>(v));
    const Shape sh{v, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha}};
    const Keys k = make_keys(sh, *deterministic_rng(15));
    const Bytes iv = pattern(16, 0x50);
    Bytes padded = pattern(28, 2);
    padded.insert(padded.end(), {3, 7, 3, 3});  // one padding byte wrong
    const Bytes rec = build_record(v, k, iv, 0, padded);
    Bytes copy = rec;
    auto res = make_etm(sh, k)->unprotect(app_data, static_cast<uint16_t>(v), 0, copy);
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
    if (v == Version::tlsv1) {
      copy = rec;
      auto lax = make_etm(sh, k, false)->unprotect(app_data, 0x0301, 0, copy);
      ASSERT_TRUE(lax.ok());
      EXPECT_EQ(lax->size(), 28u);
    }
    Bytes too_long = pattern(31, 2);
    too_long.push_back(40);
    copy = build_record(v, k, iv, 0, too_long);
    auto res2 = make_etm(sh, k, false)->unprotect(app_data, static_cast<uint16_t>(v), 0, copy);
    ASSERT_FALSE(res2.ok());
    EXPECT_EQ(res2.error(), AlertDescription::bad_record_mac);
  }
}

TEST(EtmRecord, OnlyForCbcFromTls10) {
  const Bytes mac20(20), key16(16), iv16(16), iv4(4);
  EXPECT_EQ(make_record_protection(Version::sslv3, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha}, mac20, key16,
                                   iv16, true, true),
            nullptr);
  EXPECT_EQ(make_record_protection(Version::tlsv1_2, {KeyExchange::rsa, Cipher::aes_128_gcm, Hash::null, Hash::sha256},
                                   {}, key16, iv4, true, true),
            nullptr);
  EXPECT_EQ(make_record_protection(Version::tlsv1, {KeyExchange::rsa, Cipher::rc4_128, Hash::sha}, mac20, key16, {},
                                   true, true),
            nullptr);
  EXPECT_NE(make_record_protection(Version::tlsv1, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha}, mac20, key16,
                                   iv16, true, true),
            nullptr);
}

}  // namespace
}  // namespace essl::crypto

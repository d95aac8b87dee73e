// Record protection: round trips for every suite shape and version, tampering, tlsfuzzer-style padding
// cases, TLS 1.0 padding_check=false, SSL 3.0, known answers computed with an independent implementation.
#include <gtest/gtest.h>

#include <string>

#include "crypto_glue/record_protection.hpp"
#include "record_keys.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

using test::hex;
using test::to_hex;

constexpr uint8_t app_data = 23;

struct Shape {
  Version v;
  SuiteSpec s;
};

std::string name_of(const Shape& sh) {
  return std::to_string(static_cast<int>(sh.v)) + "/" + std::to_string(static_cast<int>(sh.s.cipher)) + "/" +
         std::to_string(static_cast<int>(sh.s.mac));
}

std::vector<Shape> all_shapes() {
  using K = KeyExchange;
  std::vector<Shape> out;
  const SuiteSpec sha_suites[] = {{K::rsa, Cipher::aes_128_cbc, Hash::sha},
                                  {K::rsa, Cipher::aes_256_cbc, Hash::sha},
                                  {K::rsa, Cipher::des3_ede_cbc, Hash::sha}};
  for (Version v : {Version::sslv3, Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2})
    for (const auto& s : sha_suites) out.push_back({v, s});
  out.push_back({Version::tlsv1_2, {K::rsa, Cipher::aes_128_cbc, Hash::sha256, Hash::sha256}});
  out.push_back({Version::tlsv1_2, {K::rsa, Cipher::aes_256_cbc, Hash::sha256, Hash::sha256}});
  out.push_back({Version::tlsv1_2, {K::ecdhe_rsa, Cipher::aes_256_cbc, Hash::sha384, Hash::sha384}});
  out.push_back({Version::tlsv1_2, {K::ecdhe_rsa, Cipher::aes_128_gcm, Hash::null, Hash::sha256}});
  out.push_back({Version::tlsv1_2, {K::ecdhe_rsa, Cipher::aes_256_gcm, Hash::null, Hash::sha384}});
  return out;
}

std::unique_ptr<RecordProtection> make(const Shape& sh, const Keys& k, bool padding_check = true) {
  return make_record_protection(sh.v, sh.s, k.mac, k.enc, k.iv, padding_check);
}

Bytes pattern(size_t n, uint8_t salt) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + salt);
  return b;
}

TEST(Record, KeyLengths) {
  const SuiteSpec aes128{KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha};
  const SuiteSpec des3{KeyExchange::rsa, Cipher::des3_ede_cbc, Hash::sha};
  const SuiteSpec gcm{KeyExchange::rsa, Cipher::aes_256_gcm, Hash::null, Hash::sha384};
  const SuiteSpec sha384{KeyExchange::rsa, Cipher::aes_256_cbc, Hash::sha384, Hash::sha384};
  auto eq = [](KeyLengths a, size_t m, size_t e, size_t i) { return a.mac_key == m && a.enc_key == e && a.iv == i; };
  EXPECT_TRUE(eq(key_lengths(Version::tlsv1, aes128), 20, 16, 16));
  EXPECT_TRUE(eq(key_lengths(Version::sslv3, des3), 20, 24, 8));
  EXPECT_TRUE(eq(key_lengths(Version::tlsv1_1, aes128), 20, 16, 0));
  EXPECT_TRUE(eq(key_lengths(Version::tlsv1_2, gcm), 0, 32, 4));
  EXPECT_TRUE(eq(key_lengths(Version::tlsv1_2, sha384), 48, 32, 0));
}

TEST(Record, RejectsWrongKeySizesAndUnsupported) {
  const SuiteSpec aes128{KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha};
  EXPECT_EQ(make_record_protection(Version::tlsv1, aes128, Bytes(20), Bytes(15), Bytes(16), true), nullptr);
  EXPECT_EQ(make_record_protection(Version::tlsv1, aes128, Bytes(19), Bytes(16), Bytes(16), true), nullptr);
  const SuiteSpec gcm{KeyExchange::rsa, Cipher::aes_128_gcm, Hash::null, Hash::sha256};
  EXPECT_EQ(make_record_protection(Version::tlsv1_1, gcm, {}, Bytes(16), Bytes(4), true), nullptr);
  const SuiteSpec rc4{KeyExchange::rsa, Cipher::rc4_128, Hash::sha};
  EXPECT_EQ(make_record_protection(Version::tlsv1, rc4, Bytes(20), Bytes(15), {}, true), nullptr);
  EXPECT_EQ(make_record_protection(Version::tlsv1, rc4, Bytes(20), Bytes(16), Bytes(16), true), nullptr);
  const SuiteSpec sha256{KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha256, Hash::sha256};
  EXPECT_EQ(make_record_protection(Version::sslv3, sha256, Bytes(32), Bytes(16), Bytes(16), true), nullptr);
}

TEST(Record, RoundTripEveryShape) {
  auto rng = deterministic_rng(1);
  for (const Shape& sh : all_shapes()) {
    SCOPED_TRACE(name_of(sh));
    const Keys k = make_keys(sh, *rng);
    auto w = make(sh, k);
    auto r = make(sh, k);
    ASSERT_TRUE(w && r);
    uint64_t seq = 0;
    // Several records in a row on the same objects: TLS 1.0 and SSL 3.0 chain the IV across them.
    for (size_t len : {0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 1000, 4097, 16383, 16384}) {
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

TEST(Record, LargeSequenceNumbers) {
  auto rng = deterministic_rng(2);
  for (const Shape& sh : all_shapes()) {
    const Keys k = make_keys(sh, *rng);
    auto w = make(sh, k);
    auto r = make(sh, k);
    for (uint64_t seq : {uint64_t{0xffffffff}, uint64_t{1} << 40, ~uint64_t{0} - 1}) {
      const Bytes pt = pattern(77, 3);
      Bytes out;
      w->protect(22, static_cast<uint16_t>(sh.v), seq, pt, out, *rng);
      auto res = r->unprotect(22, static_cast<uint16_t>(sh.v), seq, out);
      ASSERT_TRUE(res.ok()) << name_of(sh);
      EXPECT_EQ(Bytes(res->begin(), res->end()), pt);
    }
  }
}

// Every single-byte change, and a wrong sequence number, content type or version, gives bad_record_mac.
TEST(Record, TamperIsDetected) {
  auto rng = deterministic_rng(3);
  for (const Shape& sh : all_shapes()) {
    SCOPED_TRACE(name_of(sh));
    const Keys k = make_keys(sh, *rng);
    auto w = make(sh, k);
    const Bytes pt = pattern(40, 9);
    Bytes rec;
    w->protect(app_data, static_cast<uint16_t>(sh.v), 5, pt, rec, *rng);
    for (size_t i = 0; i < rec.size(); ++i) {
      for (uint8_t flip : {uint8_t{0x01}, uint8_t{0x80}}) {
        Bytes bad = rec;
        bad[i] ^= flip;
        auto r = make(sh, k);
        auto res = r->unprotect(app_data, static_cast<uint16_t>(sh.v), 5, bad);
        ASSERT_FALSE(res.ok()) << "byte " << i;
        EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
      }
    }
    struct Ctx {
      uint8_t type;
      uint16_t version;
      uint64_t seq;
    };
    const uint16_t v = static_cast<uint16_t>(sh.v);
    for (Ctx c : {Ctx{app_data, v, 6}, Ctx{22, v, 5}, Ctx{app_data, static_cast<uint16_t>(v ^ 1), 5}}) {
      if (sh.v == Version::sslv3 && c.version != v) continue;  // the SSL 3.0 MAC does not cover the version
      Bytes copy = rec;
      auto r = make(sh, k);
      auto res = r->unprotect(c.type, c.version, c.seq, copy);
      ASSERT_FALSE(res.ok());
      EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
    }
    // Truncation and extension.
    for (size_t cut : {size_t{1}, size_t{8}, size_t{16}, rec.size() - 1, rec.size()}) {
      if (cut > rec.size()) continue;
      Bytes shorter(rec.begin(), rec.end() - static_cast<ptrdiff_t>(cut));
      auto r = make(sh, k);
      auto res = r->unprotect(app_data, v, 5, shorter);
      ASSERT_FALSE(res.ok());
      EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
    }
  }
}

TEST(Record, OversizeIsRecordOverflow) {
  auto rng = deterministic_rng(4);
  for (const Shape& sh : all_shapes()) {
    const Keys k = make_keys(sh, *rng);
    auto r = make(sh, k);
    Bytes huge((size_t{1} << 14) + 2048 + 16, 0);
    auto res = r->unprotect(app_data, static_cast<uint16_t>(sh.v), 0, huge);
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.error(), AlertDescription::record_overflow);
  }
  // GCM: a ciphertext whose plaintext would exceed 2^14.
  const Shape gcm{Version::tlsv1_2, {KeyExchange::rsa, Cipher::aes_128_gcm, Hash::null, Hash::sha256}};
  const Keys k = make_keys(gcm, *rng);
  auto r = make(gcm, k);
  Bytes big(8 + (size_t{1} << 14) + 1 + 16, 0);
  auto res = r->unprotect(app_data, 0x0303, 0, big);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error(), AlertDescription::record_overflow);
}

// ---- CBC padding and MAC, record by record (tlsfuzzer-style) ----

Bytes mac_header(uint64_t seq, uint8_t type, uint16_t version, size_t len, bool ssl3) {
  Bytes h;
  for (int i = 7; i >= 0; --i) h.push_back(static_cast<uint8_t>(seq >> (8 * i)));
  h.push_back(type);
  if (!ssl3) {
    h.push_back(static_cast<uint8_t>(version >> 8));
    h.push_back(static_cast<uint8_t>(version));
  }
  h.push_back(static_cast<uint8_t>(len >> 8));
  h.push_back(static_cast<uint8_t>(len));
  return h;
}

Bytes tls_mac(Hash h, const Bytes& key, uint64_t seq, uint8_t type, uint16_t version, const Bytes& data) {
  Bytes in = mac_header(seq, type, version, data.size(), false);
  in.insert(in.end(), data.begin(), data.end());
  return hmac(h, key, in);
}

// plaintext || mac || padding: `pad_len` + 1 bytes of value `pad_len`, then `mutate` applied.
Bytes cbc_body(const Bytes& pt, const Bytes& mac, size_t pad_len) {
  Bytes b = pt;
  b.insert(b.end(), mac.begin(), mac.end());
  b.insert(b.end(), pad_len + 1, static_cast<uint8_t>(pad_len));
  return b;
}

CbcCheckInput check_input(Hash h, const Bytes& key, const Bytes& body, bool ssl3, bool padding_check) {
  return CbcCheckInput{h, key, 9, app_data, 0x0303, body, 16, ssl3, padding_check};
}

TEST(CbcCheck, EveryPaddingLengthIsAccepted) {
  const Bytes key(64, 0x5a);  // long enough for every MAC key length
  for (Hash h : {Hash::sha, Hash::sha256, Hash::sha384}) {
    const size_t t = hash_size(h);
    for (size_t pad = 0; pad < 256; ++pad) {
      // Choose a plaintext length that makes the whole a multiple of 16.
      size_t len = 37;
      while ((len + t + pad + 1) % 16 != 0) ++len;
      const Bytes pt = pattern(len, static_cast<uint8_t>(pad));
      const Bytes k(key.begin(), key.begin() + static_cast<ptrdiff_t>(t));
      const Bytes body = cbc_body(pt, tls_mac(h, k, 9, app_data, 0x0303, pt), pad);
      auto r = check_cbc_record(check_input(h, k, body, false, true));
      ASSERT_TRUE(r.ok()) << "pad " << pad;
      EXPECT_EQ(r.value(), len);
    }
  }
}

TEST(CbcCheck, BadPaddingCases) {
  const Hash h = Hash::sha256;
  const Bytes key(32, 0x42);
  const Bytes pt = pattern(30, 1);  // 30 + 32 + pad + 1 = 64 with pad 1, 80 with pad 17
  const Bytes mac = tls_mac(h, key, 9, app_data, 0x0303, pt);
  auto check = [&](const Bytes& body, bool padding_check = true) {
    return check_cbc_record(check_input(h, key, body, false, padding_check));
  };
  ASSERT_TRUE(check(cbc_body(pt, mac, 1)).ok());
  ASSERT_TRUE(check(cbc_body(pt, mac, 17)).ok());

  // A wrong byte anywhere in the padding.
  for (size_t i = 0; i < 17; ++i) {
    Bytes body = cbc_body(pt, mac, 17);
    body[body.size() - 2 - i] ^= 0x01;
    auto r = check(body);
    ASSERT_FALSE(r.ok()) << i;
    EXPECT_EQ(r.error(), AlertDescription::bad_record_mac);
    // With padding_check=false only the length is used, so this record passes (TLS 1.0 option).
    EXPECT_TRUE(check(body, false).ok());
  }
  // The padding length byte too big for the record (covers the MAC, or more than the record).
  for (uint8_t L : {uint8_t{18}, uint8_t{33}, uint8_t{49}, uint8_t{63}, uint8_t{64}, uint8_t{200}, uint8_t{255}}) {
    Bytes body = cbc_body(pt, mac, 17);
    std::fill(body.end() - 18, body.end(), L);
    if (L >= 18) std::fill(body.begin() + static_cast<ptrdiff_t>(std::max<int>(0, 80 - L - 1)), body.end(), L);
    auto r = check(body);
    ASSERT_FALSE(r.ok()) << int(L);
    EXPECT_EQ(r.error(), AlertDescription::bad_record_mac);
  }
  // MAC missing: the record is shorter than MAC + padding length byte.
  {
    Bytes body(32, 0);
    auto r = check(body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), AlertDescription::bad_record_mac);
  }
  // Not a multiple of the block size.
  {
    Bytes body = cbc_body(pt, mac, 1);
    body.push_back(0);
    EXPECT_FALSE(check(body).ok());
  }
  // A wrong MAC with good padding.
  {
    Bytes bad_mac = mac;
    bad_mac[31] ^= 0x40;
    EXPECT_FALSE(check(cbc_body(pt, bad_mac, 1)).ok());
    EXPECT_FALSE(check(cbc_body(pt, bad_mac, 1), false).ok());
  }
  // A MAC computed over a different length (the classic "padding eats plaintext" case).
  {
    Bytes body = cbc_body(pt, mac, 1);
    body.back() = 2;  // claims two more padding bytes than there are
    body[body.size() - 2] = 2;
    EXPECT_FALSE(check(body).ok());
  }
}

TEST(CbcCheck, PlaintextOver16KIsRecordOverflow) {
  const Hash h = Hash::sha;
  const Bytes key(20, 0x42);
  size_t len = (size_t{1} << 14) + 1;
  size_t pad = 0;
  while ((len + 20 + pad + 1) % 16 != 0) ++pad;
  const Bytes pt = pattern(len, 0);
  auto r = check_cbc_record(check_input(h, key, cbc_body(pt, tls_mac(h, key, 9, app_data, 0x0303, pt), pad),
                                        false, true));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), AlertDescription::record_overflow);
}

// SSL 3.0 MAC (RFC 6101 5.2.3.1), value computed with Python's hashlib: key 0b x 20, seq 1, type 23,
// "hello".
TEST(CbcCheck, Ssl3MacKnownAnswerAndPaddingRules) {
  const Bytes key(20, 0x0b);
  const Bytes pt = {'h', 'e', 'l', 'l', 'o'};
  const Bytes mac = hex("5248bb585521adc9b3093cf1681d9e17d71670ba");
  auto in = [&](const Bytes& body) { return CbcCheckInput{Hash::sha, key, 1, app_data, 0x0300, body, 16, true, true}; };
  const Bytes good = cbc_body(pt, mac, 6);  // 5 + 20 + 7 = 32
  auto r = check_cbc_record(in(good));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 5u);
  // Padding contents are not checked in SSL 3.0.
  Bytes junk = good;
  junk[good.size() - 3] = 0xee;
  EXPECT_TRUE(check_cbc_record(in(junk)).ok());
  // ... but the padding must be shorter than a block (RFC 6101 5.2.3.2).
  const Bytes long_pad = cbc_body(pt, mac, 22);  // 5 + 20 + 23 = 48
  EXPECT_FALSE(check_cbc_record(in(long_pad)).ok());
  Bytes bad = good;
  bad[7] ^= 1;
  EXPECT_FALSE(check_cbc_record(in(bad)).ok());
}

// Whole records with chosen (bad) paddings, encrypted with the raw CBC hook as a peer would.
TEST(Record, TlsfuzzerStylePaddingRecords) {
  const Shape sh{Version::tlsv1_2, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha}};
  auto rng = deterministic_rng(5);
  const Keys k = make_keys(sh, *rng);
  const Bytes pt = pattern(11, 4);  // 11 + 20 = 31: pad 0 fills two blocks
  const Bytes mac = tls_mac(Hash::sha, k.mac, 3, app_data, 0x0303, pt);
  auto record = [&](Bytes body) {
    Bytes iv(16, 0x77);
    cbc_encrypt(k.enc, iv, body);
    iv.insert(iv.end(), body.begin(), body.end());
    return iv;
  };
  auto open = [&](Bytes rec) {
    auto r = make(sh, k);
    auto res = r->unprotect(app_data, 0x0303, 3, rec);
    return res.ok() ? std::optional<Bytes>(Bytes(res->begin(), res->end())) : std::nullopt;
  };
  EXPECT_EQ(open(record(cbc_body(pt, mac, 0))), pt);
  EXPECT_EQ(open(record(cbc_body(pt, mac, 16))), pt);
  EXPECT_EQ(open(record(cbc_body(pt, mac, 224))), pt);  // 11 + 20 + 225 = 256
  Bytes wrong = cbc_body(pt, mac, 16);
  wrong[wrong.size() - 5] = 0;
  EXPECT_EQ(open(record(wrong)), std::nullopt);
  Bytes too_big = cbc_body(pt, mac, 0);
  too_big.back() = 32;
  EXPECT_EQ(open(record(too_big)), std::nullopt);
  Bytes no_mac = pt;  // plaintext and padding only
  no_mac.insert(no_mac.end(), 5, 4);
  EXPECT_EQ(open(record(no_mac)), std::nullopt);
}

TEST(Record, Tls10PaddingCheckOption) {
  const Shape sh{Version::tlsv1, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha}};
  auto rng = deterministic_rng(6);
  const Keys k = make_keys(sh, *rng);
  const Bytes pt = pattern(11, 4);
  const Bytes mac = tls_mac(Hash::sha, k.mac, 0, app_data, 0x0301, pt);
  Bytes body = cbc_body(pt, mac, 16);
  body[body.size() - 3] = 0xab;  // a padding byte that is not the length
  cbc_encrypt(k.enc, k.iv, body);  // first record: the IV is the key block's
  {
    auto strict = make(sh, k, true);
    Bytes copy = body;
    auto res = strict->unprotect(app_data, 0x0301, 0, copy);
    ASSERT_FALSE(res.ok());
    EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
  }
  {
    auto lenient = make(sh, k, false);
    Bytes copy = body;
    auto res = lenient->unprotect(app_data, 0x0301, 0, copy);
    ASSERT_TRUE(res.ok());
    EXPECT_EQ(Bytes(res->begin(), res->end()), pt);
  }
  // TLS 1.1 and later always check the padding, whatever the option says.
  const Shape sh11{Version::tlsv1_1, sh.s};
  const Keys k11 = make_keys(sh11, *rng);
  const Bytes mac11 = tls_mac(Hash::sha, k11.mac, 0, app_data, 0x0302, pt);
  Bytes body11 = cbc_body(pt, mac11, 16);
  body11[body11.size() - 3] = 0xab;
  Bytes iv(16, 1);
  cbc_encrypt(k11.enc, iv, body11);
  iv.insert(iv.end(), body11.begin(), body11.end());
  auto lenient11 = make(sh11, k11, false);
  EXPECT_FALSE(lenient11->unprotect(app_data, 0x0302, 0, iv).ok());
}

// Known answers produced with Python's `cryptography` and `hmac` modules.
TEST(Record, KnownAnswerCbcTls10) {
  const Shape sh{Version::tlsv1, {KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha}};
  Keys k{pattern(0, 0), {}, {}};
  for (uint8_t i = 0; i < 20; ++i) k.mac.push_back(i);
  for (uint8_t i = 0x10; i < 0x20; ++i) k.enc.push_back(i);
  for (uint8_t i = 0x30; i < 0x40; ++i) k.iv.push_back(i);
  const std::string text = "essl known answer record";
  const Bytes pt(text.begin(), text.end());
  const Bytes expected = hex(
      "3edc5c2fcffe7979eeee93ce1188984748db2d3381b668e49a8b1d2ab08e31ef4c086aa4fcaa755b0e5cacf4fb01c002");
  auto w = make(sh, k);
  Bytes out;
  w->protect(app_data, 0x0301, 5, pt, out, system_rng());
  EXPECT_EQ(to_hex(out), to_hex(expected));
  auto r = make(sh, k);
  Bytes in = expected;
  auto res = r->unprotect(app_data, 0x0301, 5, in);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(Bytes(res->begin(), res->end()), pt);
}

TEST(Record, KnownAnswerGcm) {
  const Shape sh{Version::tlsv1_2, {KeyExchange::rsa, Cipher::aes_128_gcm, Hash::null, Hash::sha256}};
  Keys k;
  for (uint8_t i = 0x40; i < 0x50; ++i) k.enc.push_back(i);
  k.iv = {1, 2, 3, 4};
  const std::string text = "essl known answer record";
  const Bytes pt(text.begin(), text.end());
  const Bytes expected =
      hex("0000000000000007c635e52e806a25539f2b2806074e703e94a4f0801d3cbf89bcb6ad91dd356bbeb751a1df7c423122");
  auto w = make(sh, k);
  Bytes out;
  w->protect(app_data, 0x0303, 7, pt, out, system_rng());
  EXPECT_EQ(to_hex(out), to_hex(expected));
  auto r = make(sh, k);
  Bytes in = expected;
  auto res = r->unprotect(app_data, 0x0303, 7, in);
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(Bytes(res->begin(), res->end()), pt);
}

}  // namespace
}  // namespace essl::crypto

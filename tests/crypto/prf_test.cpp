// PRF vectors (TLS 1.0/1.1 and TLS 1.2), key derivation and Finished, including SSL 3.0 known answers.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto_glue/hash.hpp"
#include "crypto_glue/prf.hpp"
#include "crypto_glue/rng.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

using test::hex;
using test::to_hex;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

struct PrfVector {
  Hash h;
  Bytes secret, salt, label, output;
};

// Botan-style .vec: "[Section]" headers, "Key = hex" lines, blank lines end a vector.
std::vector<PrfVector> load_prf_vectors() {
  std::ifstream f(test::data_path("prf/tls_prf.vec"));
  EXPECT_TRUE(f.good());
  std::vector<PrfVector> out;
  Hash h = Hash::null;
  PrfVector cur{};
  bool have = false;
  auto flush = [&] {
    if (have && h != Hash::null) out.push_back(cur);
    cur = PrfVector{};
    cur.h = h;
    have = false;
  };
  std::string line;
  while (std::getline(f, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#') {
      if (line.empty()) flush();
      continue;
    }
    if (line[0] == '[') {
      flush();
      if (line == "[TLS-PRF]") h = Hash::md5sha;
      else if (line.find("SHA-224") != std::string::npos) h = Hash::sha224;
      else if (line.find("SHA-256") != std::string::npos) h = Hash::sha256;
      else if (line.find("SHA-384") != std::string::npos) h = Hash::sha384;
      else if (line.find("SHA-512") != std::string::npos) h = Hash::sha512;
      else h = Hash::null;
      cur.h = h;
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = trim(line.substr(0, eq));
    const Bytes val = hex(trim(line.substr(eq + 1)));
    have = true;
    if (key == "Secret") cur.secret = val;
    else if (key == "Salt") cur.salt = val;
    else if (key == "Label") cur.label = val;
    else if (key == "Output") cur.output = val;
  }
  flush();
  return out;
}

TEST(Prf, PublishedVectors) {
  const auto vectors = load_prf_vectors();
  size_t tls10 = 0, sha256 = 0, sha384 = 0;
  for (const auto& v : vectors) {
    const std::string label(v.label.begin(), v.label.end());
    const Bytes got = prf(v.h, v.secret, label, v.salt, v.output.size());
    EXPECT_EQ(to_hex(got), to_hex(v.output)) << "hash " << static_cast<int>(v.h);
    tls10 += v.h == Hash::md5sha;
    sha256 += v.h == Hash::sha256;
    sha384 += v.h == Hash::sha384;
  }
  EXPECT_GE(tls10, 30u);
  EXPECT_GE(sha256, 1u);
  EXPECT_GE(sha384, 1u);
}

TEST(Prf, PrfHashPerVersion) {
  const SuiteSpec cbc{KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha};
  const SuiteSpec gcm384{KeyExchange::ecdhe_rsa, Cipher::aes_256_gcm, Hash::null, Hash::sha384};
  EXPECT_EQ(prf_hash(Version::tlsv1, cbc), Hash::md5sha);
  EXPECT_EQ(prf_hash(Version::tlsv1_1, gcm384), Hash::md5sha);
  EXPECT_EQ(prf_hash(Version::tlsv1_2, cbc), Hash::sha256);
  EXPECT_EQ(prf_hash(Version::tlsv1_2, gcm384), Hash::sha384);
}

TEST(Prf, TlsDerivationMatchesPrfDefinition) {
  const Bytes pms(48, 0x11), cr(32, 0x22), sr(32, 0x33);
  Bytes crsr = cr;
  crsr.insert(crsr.end(), sr.begin(), sr.end());
  Bytes srcr = sr;
  srcr.insert(srcr.end(), cr.begin(), cr.end());
  for (Hash h : {Hash::md5sha, Hash::sha256, Hash::sha384}) {
    const Version v = h == Hash::md5sha ? Version::tlsv1_1 : Version::tlsv1_2;
    const Bytes ms = master_secret(v, h, pms, cr, sr);
    ASSERT_EQ(ms.size(), 48u);
    EXPECT_EQ(ms, prf(h, pms, "master secret", crsr, 48));
    EXPECT_EQ(key_block(v, h, ms, cr, sr, 104), prf(h, ms, "key expansion", srcr, 104));
    const Bytes transcript = hex("0100002a0303");
    const Bytes vd = finished_verify_data(v, h, ms, true, transcript);
    EXPECT_EQ(vd, prf(h, ms, "client finished", hash(h, transcript), 12));
    EXPECT_NE(vd, finished_verify_data(v, h, ms, false, transcript));
  }
}

// Each thread clones its own Botan objects: the PRF, the hashes and HMAC give the same answers from
// many threads at once, and again and again from one (a clone carries no state from the last use).
TEST(Prf, SameAnswersFromManyThreadsAndRepeatedCalls) {
  const Bytes secret(48, 0x5c), seed(64, 0xa3), data(100, 0x42);
  struct Answers {
    Bytes prf256, prf384, prf_md5sha, sha256, md5sha, hmac384;
    bool operator==(const Answers&) const = default;
  };
  auto compute = [&] {
    return Answers{prf(Hash::sha256, secret, "key expansion", seed, 72), prf(Hash::sha384, secret, "key expansion", seed, 72),
                   prf(Hash::md5sha, secret, "key expansion", seed, 72), hash(Hash::sha256, data),
                   hash(Hash::md5sha, data), hmac(Hash::sha384, secret, data)};
  };
  const Answers expected = compute();
  ASSERT_EQ(expected.prf256.size(), 72u);
  ASSERT_EQ(expected.md5sha.size(), 36u);
  ASSERT_EQ(expected.hmac384.size(), 48u);
  EXPECT_NE(expected.prf256, expected.prf384);
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i)
        if (!(compute() == expected)) ++mismatches[size_t(t)];
    });
  for (auto& t : threads) t.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
  EXPECT_TRUE(compute() == expected);
}

// SSL 3.0 (RFC 6101 6.1, 6.2.2, 5.6.9): expected values computed independently with Python's hashlib from
// the RFC's formulas (pms = 03 00 01..2e, client_random = 20..3f, server_random = 40..5f).
TEST(Prf, Ssl3KnownAnswers) {
  Bytes pms = {3, 0};
  for (uint8_t i = 1; i < 47; ++i) pms.push_back(i);
  Bytes cr, sr;
  for (uint8_t i = 0x20; i < 0x40; ++i) cr.push_back(i);
  for (uint8_t i = 0x40; i < 0x60; ++i) sr.push_back(i);
  const Bytes ms = master_secret(Version::sslv3, Hash::md5sha, pms, cr, sr);
  EXPECT_EQ(to_hex(ms),
            "6f2955e54ff1d00566c328e90e73538e287d5fd4903511682f68b9cff7c08d8cbfec38eba8d12477a88533aee419f55d");
  EXPECT_EQ(to_hex(key_block(Version::sslv3, Hash::md5sha, ms, cr, sr, 104)),
            "289948bd3b55b865715bc4d13921e5d7859a42552c303181cd055f2e47a7036ba0a8e078679a7fcd2128bde7c4c2bb1f"
            "90975cad1f61dd147839ec8a4551d2c264dff00172e38c16228c0fb25fdf4d9a6a9058c93e6eaae94d79adbf71d40ee7"
            "0a2da3c9b30bf5c7");
  const std::string t = "handshake transcript bytes";
  const Bytes transcript(t.begin(), t.end());
  EXPECT_EQ(to_hex(finished_verify_data(Version::sslv3, Hash::md5sha, ms, true, transcript)),
            "a5c891d0c2e79131130e141f9926c0f0c46ed7b0f1ab9d379974606dcfca7a22e39ef6b1");
  EXPECT_EQ(to_hex(finished_verify_data(Version::sslv3, Hash::md5sha, ms, false, transcript)),
            "a419553a234050d59724b879556ec57661229eb8a5383515241c1bdfb63b7862922e95e0");
}

TEST(Hash, SizesAndMd5Sha) {
  const Bytes abc = {'a', 'b', 'c'};
  EXPECT_EQ(to_hex(hash(Hash::sha256, abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const Bytes ms = hash(Hash::md5sha, abc);
  ASSERT_EQ(ms.size(), 36u);
  EXPECT_EQ(to_hex(ms), "900150983cd24fb0d6963f7d28e17f72a9993e364706816aba3e25717850c26c9cd0d89d");
  for (Hash h : {Hash::md5, Hash::sha, Hash::sha224, Hash::sha256, Hash::sha384, Hash::sha512, Hash::md5sha})
    EXPECT_EQ(hash(h, abc).size(), hash_size(h));
}

TEST(Hash, EqualCt) {
  EXPECT_TRUE(equal_ct(hex("0102"), hex("0102")));
  EXPECT_FALSE(equal_ct(hex("0102"), hex("0103")));
  EXPECT_FALSE(equal_ct(hex("0102"), hex("010200")));
  EXPECT_TRUE(equal_ct(Bytes{}, Bytes{}));
  EXPECT_FALSE(equal_ct(hex("80"), hex("00")));
}

TEST(Rng, DeterministicReplays) {
  auto a = deterministic_rng(42), b = deterministic_rng(42), c = deterministic_rng(43);
  Bytes x(64), y(64), z(64);
  a->fill(x);
  b->fill(y);
  c->fill(z);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  Bytes s1(32), s2(32);
  system_rng().fill(s1);
  system_rng().fill(s2);
  EXPECT_NE(s1, s2);
}

}  // namespace
}  // namespace essl::crypto

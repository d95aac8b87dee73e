// Known answers for RC4, DES and 3DES records, the SSL 3.0 MAC and the SSL 3.0 key derivation. The
// expected values come from tests/crypto/data/legacy_kat.py, which this test runs: the RFC formulas over
// Python's hashlib and hmac, RC4 from its definition (checked there against RFC 6229), DES and 3DES from
// the `cryptography` package; nothing of essl or Botan.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "crypto_glue/prf.hpp"
#include "crypto_glue/record_protection.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

using test::hex;
using test::to_hex;

constexpr uint8_t app_data = 23;
const std::string hello_text = "essl legacy known answer record";
const std::string second_text = "and a second record on the same keystream";

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }
Bytes range(uint8_t from, uint8_t to) {
  Bytes b;
  for (unsigned i = from; i < to; ++i) b.push_back(static_cast<uint8_t>(i));
  return b;
}

// name -> value, from the script's `name hex` lines; empty with `why` set when it cannot run.
std::map<std::string, Bytes> run_script(std::string& why) {
  const std::string script = test::source_path("tests/crypto/data/legacy_kat.py");
  const std::string cmd = "python3 '" + script + "' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) {
    why = "cannot run " + cmd;
    return {};
  }
  std::string out;
  std::array<char, 4096> buf{};
  for (size_t n; (n = fread(buf.data(), 1, buf.size(), p.get())) > 0;) out.append(buf.data(), n);
  const int status = pclose(p.release());
  if (status != 0) {
    why = cmd + " failed (python3 with the `cryptography` package is needed; Debian: python3-cryptography):\n" + out;
    return {};
  }
  std::map<std::string, Bytes> values;
  std::istringstream lines(out);
  for (std::string name, value; lines >> name >> value;) values[name] = hex(value);
  return values;
}

class LegacyKat : public testing::Test {
 protected:
  static void SetUpTestSuite() { values_ = new std::map<std::string, Bytes>(run_script(*(why_ = new std::string))); }
  static void TearDownTestSuite() {
    delete values_;
    delete why_;
  }
  void SetUp() override { ASSERT_FALSE(values_->empty()) << *why_; }

  const Bytes& want(const std::string& name) {
    auto it = values_->find(name);
    static const Bytes none;
    if (it == values_->end()) {
      ADD_FAILURE() << "the script printed no " << name;
      return none;
    }
    return it->second;
  }

  static std::map<std::string, Bytes>* values_;
  static std::string* why_;
};
std::map<std::string, Bytes>* LegacyKat::values_ = nullptr;
std::string* LegacyKat::why_ = nullptr;

// Protects each record on one object and compares with the expected records, then opens the expected
// records on a fresh object. `rng` supplies explicit IVs (TLS 1.1+ CBC).
void check_records(const SuiteSpec& s, Version v, const Bytes& mac, const Bytes& enc, const Bytes& iv,
                   const std::vector<std::pair<uint64_t, Bytes>>& plain, const std::vector<Bytes>& expected,
                   Rng& rng) {
  auto w = make_record_protection(v, s, mac, enc, iv, true);
  auto r = make_record_protection(v, s, mac, enc, iv, true);
  ASSERT_TRUE(w && r) << to_string(s);
  for (size_t i = 0; i < plain.size(); ++i) {
    Bytes out;
    w->protect(app_data, static_cast<uint16_t>(v), plain[i].first, plain[i].second, out, rng);
    EXPECT_EQ(to_hex(out), to_hex(expected[i])) << to_string(s) << " record " << i;
    Bytes in = expected[i];
    auto res = r->unprotect(app_data, static_cast<uint16_t>(v), plain[i].first, in);
    ASSERT_TRUE(res.ok()) << to_string(s) << " record " << i;
    EXPECT_EQ(Bytes(res->begin(), res->end()), plain[i].second);
  }
}

// Fills with a fixed pattern: the explicit IV the script used.
class FixedRng : public Rng {
 public:
  explicit FixedRng(Bytes b) : b_(std::move(b)) {}
  void fill(std::span<uint8_t> out) override {
    for (size_t i = 0; i < out.size(); ++i) out[i] = b_[i % b_.size()];
  }

 private:
  Bytes b_;
};

const SuiteSpec rc4_md5{KeyExchange::rsa, Cipher::rc4_128, Hash::md5};
const SuiteSpec rc4_sha{KeyExchange::rsa, Cipher::rc4_128, Hash::sha};
const SuiteSpec des_sha{KeyExchange::rsa, Cipher::des_cbc, Hash::sha};
const SuiteSpec des3_sha{KeyExchange::rsa, Cipher::des3_ede_cbc, Hash::sha};

TEST_F(LegacyKat, Ssl3KeyDerivation) {
  Bytes pms = {3, 0};
  const Bytes tail = range(1, 47);
  pms.insert(pms.end(), tail.begin(), tail.end());
  const Bytes cr = range(0x20, 0x40), sr = range(0x40, 0x60);
  const Bytes ms = master_secret(Version::sslv3, Hash::md5sha, pms, cr, sr);
  EXPECT_EQ(to_hex(ms), to_hex(want("ssl3_master")));
  EXPECT_EQ(to_hex(key_block(Version::sslv3, Hash::md5sha, ms, cr, sr, 104)), to_hex(want("ssl3_key_block_104")));
  EXPECT_EQ(to_hex(key_block(Version::sslv3, Hash::md5sha, ms, cr, sr, 64)), to_hex(want("ssl3_key_block_64")));
}

// The whole SSL 3.0 path for RC4-MD5: derivation, the key block split as the record layer splits it
// (client MAC, server MAC, client key, server key), and two records on the client's keystream.
TEST_F(LegacyKat, Ssl3Rc4Md5FromKeyBlock) {
  const Bytes kb = want("ssl3_key_block_64");
  ASSERT_EQ(kb.size(), 64u);
  const KeyLengths k = key_lengths(Version::sslv3, rc4_md5);
  ASSERT_EQ(k.mac_key, 16u);
  ASSERT_EQ(k.enc_key, 16u);
  ASSERT_EQ(k.iv, 0u);
  const Bytes c_mac(kb.begin(), kb.begin() + 16), c_key(kb.begin() + 32, kb.begin() + 48);
  FixedRng rng({0});
  check_records(rc4_md5, Version::sslv3, c_mac, c_key, {}, {{0, bytes_of(hello_text)}, {1, bytes_of(second_text)}},
                {want("ssl3_rc4_md5_record0"), want("ssl3_rc4_md5_record1")}, rng);
}

// The SSL 3.0 MAC through the CBC record check: the expected MAC is accepted, a changed one is not.
TEST_F(LegacyKat, Ssl3Mac) {
  struct Case {
    const char* name;
    Hash h;
    Bytes key;
    uint64_t seq;
    uint8_t type;
    Bytes data;
  };
  const Case cases[] = {
      {"ssl3_mac_md5", Hash::md5, Bytes(16, 0x0b), 1, app_data, bytes_of("hello")},
      {"ssl3_mac_sha", Hash::sha, Bytes(20, 0x0b), 1, app_data, bytes_of("hello")},
      {"ssl3_mac_md5_seq", Hash::md5, range(0, 16), 0x0102030405060708, 22, range(0, 200)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Bytes mac = want(c.name);
    ASSERT_EQ(mac.size(), hash_size(c.h));
    auto body = [&](const Bytes& m) {
      Bytes b = c.data;
      b.insert(b.end(), m.begin(), m.end());
      const size_t pad = (8 - (b.size() + 1) % 8) % 8;
      b.insert(b.end(), pad + 1, static_cast<uint8_t>(pad));
      return b;
    };
    const Bytes good = body(mac);
    auto r = check_cbc_record(CbcCheckInput{c.h, c.key, c.seq, c.type, 0x0300, good, 8, true, true});
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), c.data.size());
    mac[mac.size() / 2] ^= 0x01;
    EXPECT_FALSE(check_cbc_record(CbcCheckInput{c.h, c.key, c.seq, c.type, 0x0300, body(mac), 8, true, true}).ok());
  }
}

TEST_F(LegacyKat, Rc4Records) {
  FixedRng rng({0});
  const Bytes mac20 = range(0, 20), mac16 = range(0, 16), key16 = range(0x10, 0x20);
  check_records(rc4_sha, Version::tlsv1, mac20, key16, {}, {{0, bytes_of(hello_text)}, {1, bytes_of(second_text)}},
                {want("tls10_rc4_sha_record0"), want("tls10_rc4_sha_record1")}, rng);
  check_records(rc4_md5, Version::tlsv1_2, mac16, key16, {}, {{5, bytes_of(hello_text)}},
                {want("tls12_rc4_md5_record5")}, rng);
  check_records(rc4_sha, Version::sslv3, mac20, key16, {}, {{0, bytes_of(hello_text)}},
                {want("ssl3_rc4_sha_record0")}, rng);
}

TEST_F(LegacyKat, DesAnd3desRecords) {
  const Bytes mac20 = range(0, 20), key24 = range(0x30, 0x48), key8 = hex("133457799bbcdff1");
  const Bytes iv8 = range(0x50, 0x58);
  FixedRng explicit_iv(range(0x60, 0x68));
  // SSL 3.0 and TLS 1.0 chain the IV: the second record's IV is the first's last block.
  check_records(des3_sha, Version::sslv3, mac20, key24, iv8, {{0, bytes_of(hello_text)}, {1, bytes_of(second_text)}},
                {want("ssl3_3des_sha_record0"), want("ssl3_3des_sha_record1")}, explicit_iv);
  check_records(des_sha, Version::tlsv1, mac20, key8, iv8, {{3, bytes_of(hello_text)}},
                {want("tls10_des_sha_record3")}, explicit_iv);
  check_records(des_sha, Version::tlsv1_1, mac20, key8, {}, {{2, bytes_of(hello_text)}},
                {want("tls11_des_sha_record2")}, explicit_iv);
  check_records(des3_sha, Version::tlsv1_2, mac20, key24, {}, {{9, bytes_of(hello_text)}},
                {want("tls12_3des_sha_record9")}, explicit_iv);
}

// Any changed bit of a known-answer record is bad_record_mac, for the stream and the block ciphers.
TEST_F(LegacyKat, ChangedKnownAnswerRecordsFail) {
  struct Rec {
    const char* name;
    SuiteSpec s;
    Version v;
    Bytes mac, enc, iv;
    uint64_t seq;
  };
  const Rec recs[] = {
      {"tls10_rc4_sha_record0", rc4_sha, Version::tlsv1, range(0, 20), range(0x10, 0x20), {}, 0},
      {"tls12_rc4_md5_record5", rc4_md5, Version::tlsv1_2, range(0, 16), range(0x10, 0x20), {}, 5},
      {"tls10_des_sha_record3", des_sha, Version::tlsv1, range(0, 20), hex("133457799bbcdff1"), range(0x50, 0x58), 3},
      {"tls12_3des_sha_record9", des3_sha, Version::tlsv1_2, range(0, 20), range(0x30, 0x48), {}, 9},
  };
  for (const Rec& rec : recs) {
    const Bytes good = want(rec.name);
    for (size_t bit = 0; bit < good.size() * 8; bit += 7) {
      Bytes bad = good;
      bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      auto r = make_record_protection(rec.v, rec.s, rec.mac, rec.enc, rec.iv, true);
      ASSERT_TRUE(r);
      auto res = r->unprotect(app_data, static_cast<uint16_t>(rec.v), rec.seq, bad);
      ASSERT_FALSE(res.ok()) << rec.name << " bit " << bit;
      EXPECT_EQ(res.error(), AlertDescription::bad_record_mac);
    }
  }
}

}  // namespace
}  // namespace essl::crypto

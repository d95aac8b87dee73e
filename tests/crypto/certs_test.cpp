// Certificates, private key formats, TLS signatures and path validation.
#include <gtest/gtest.h>

#include "crypto_glue/certs.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

using test::hex;

Bytes src(const std::string& rel) { return test::read_file(test::source_path(rel)); }

Certificate cert(const std::string& rel) {
  auto c = parse_certificates(src(rel));
  EXPECT_TRUE(c.ok()) << rel;
  return c.value().front();
}

PrivateKey key(const std::string& rel, const std::string& password = "") {
  auto k = PrivateKey::parse(src(rel), password);
  EXPECT_TRUE(k.ok()) << rel << ": " << (k.ok() ? "" : k.error());
  return k.value();
}

TEST(Certs, ParseAndInspect) {
  const Certificate rsa = cert("tests/data/server-rsa.pem");
  EXPECT_EQ(rsa.key_algo(), KeyAlgo::rsa);
  EXPECT_EQ(rsa.ec_named_group(), 0);
  EXPECT_FALSE(rsa.is_self_signed());
  EXPECT_EQ(rsa.der(), src("tests/crypto/data/server-rsa.der"));
  const Certificate ca = cert("tests/data/ca.pem");
  EXPECT_TRUE(ca.is_self_signed());
  EXPECT_EQ(rsa.issuer_dn(), ca.subject_dn());
  EXPECT_EQ(rsa.subject_dn()[0], 0x30);  // a DER Name
  EXPECT_EQ(cert("tests/data/server-ecdsa.pem").ec_named_group(), 23);
  EXPECT_EQ(cert("tests/data/server-ecdsa384.pem").ec_named_group(), 24);
  EXPECT_EQ(cert("tests/data/server-ecdsa.pem").key_algo(), KeyAlgo::ecdsa);

  auto der = parse_certificates(src("tests/crypto/data/server-rsa.der"));
  ASSERT_TRUE(der.ok());
  EXPECT_EQ(der->front().der(), rsa.der());

  // A PEM file with two certificates.
  Bytes two = src("tests/data/server-rsa.pem");
  const Bytes ca_pem = src("tests/data/ca.pem");
  two.insert(two.end(), ca_pem.begin(), ca_pem.end());
  auto both = parse_certificates(two);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 2u);

  EXPECT_FALSE(parse_certificates(hex("300100")).ok());
  EXPECT_FALSE(parse_certificates(Bytes{}).ok());
  const std::string no_cert = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
  EXPECT_FALSE(parse_certificates(Bytes(no_cert.begin(), no_cert.end())).ok());
  const std::string broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
  EXPECT_FALSE(parse_certificates(Bytes(broken.begin(), broken.end())).ok());
}

TEST(Certs, PrivateKeyFormats) {
  const Certificate rsa = cert("tests/data/server-rsa.pem");
  const Certificate ec = cert("tests/data/server-ecdsa.pem");
  for (const char* f : {"tests/data/server-rsa-key.pem", "tests/crypto/data/rsa-pkcs1.pem",
                        "tests/crypto/data/rsa-pkcs1.der"}) {
    SCOPED_TRACE(f);
    const PrivateKey k = key(f);
    EXPECT_EQ(k.algo(), KeyAlgo::rsa);
    EXPECT_TRUE(k.matches(rsa));
    EXPECT_FALSE(k.matches(ec));
  }
  for (const char* f : {"tests/data/server-ecdsa-key.pem", "tests/crypto/data/ec-sec1.pem",
                        "tests/crypto/data/ec-sec1.der", "tests/crypto/data/ec-pkcs8.der"}) {
    SCOPED_TRACE(f);
    const PrivateKey k = key(f);
    EXPECT_EQ(k.algo(), KeyAlgo::ecdsa);
    EXPECT_TRUE(k.matches(ec));
    EXPECT_FALSE(k.matches(rsa));
  }
  EXPECT_TRUE(key("tests/crypto/data/rsa-pkcs8-enc.pem", "essl-test").matches(rsa));
  EXPECT_TRUE(key("tests/crypto/data/ec-pkcs8-enc.der", "essl-test").matches(ec));
  EXPECT_FALSE(PrivateKey::parse(src("tests/crypto/data/rsa-pkcs8-enc.pem"), "wrong").ok());
  EXPECT_FALSE(PrivateKey::parse(src("tests/crypto/data/rsa-pkcs8-enc.pem"), "").ok());
  EXPECT_FALSE(PrivateKey::parse(hex("3003020100"), "").ok());
  EXPECT_FALSE(PrivateKey::parse(src("tests/data/ca.pem"), "").ok());
  EXPECT_FALSE(key("tests/data/client-rsa-key.pem").matches(rsa));
}

TEST(Certs, SignAndVerifyEveryScheme) {
  auto rng = deterministic_rng(13);
  const std::string text = "client_random || server_random || params";
  const Bytes msg(text.begin(), text.end());
  struct Case {
    const char* cert;
    const char* key;
    std::vector<uint16_t> schemes;
  };
  const Case cases[] = {
      {"tests/data/server-rsa.pem", "tests/data/server-rsa-key.pem",
       {0, 0x0201, 0x0301, 0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806}},
      {"tests/data/server-ecdsa.pem", "tests/data/server-ecdsa-key.pem", {0, 0x0203, 0x0303, 0x0403, 0x0503, 0x0603}},
      {"tests/data/server-ecdsa384.pem", "tests/data/server-ecdsa384-key.pem", {0, 0x0203, 0x0503}},
  };
  for (const Case& c : cases) {
    const Certificate crt = cert(c.cert);
    const PrivateKey k = key(c.key);
    for (uint16_t s : c.schemes) {
      SCOPED_TRACE(std::string(c.cert) + " scheme " + std::to_string(s));
      if (s != 0) {
        EXPECT_TRUE(scheme_supported(s));
      }
      for (int round = 0; round < 2; ++round) {  // the second round uses the cached signer
        auto sig = k.sign(s, msg, *rng);
        ASSERT_TRUE(sig.ok()) << sig.error();
        EXPECT_TRUE(verify_signature(crt, s, msg, sig.value()));
        Bytes other = msg;
        other[0] ^= 1;
        EXPECT_FALSE(verify_signature(crt, s, other, sig.value()));
        Bytes bad = sig.value();
        bad[bad.size() / 2] ^= 0x10;
        EXPECT_FALSE(verify_signature(crt, s, msg, bad));
      }
    }
  }
  // The scheme must fit the key.
  EXPECT_FALSE(key("tests/data/server-rsa-key.pem").sign(0x0403, msg, *rng).ok());
  EXPECT_FALSE(key("tests/data/server-ecdsa-key.pem").sign(0x0401, msg, *rng).ok());
  EXPECT_FALSE(scheme_supported(0x0101));  // md5
  EXPECT_FALSE(scheme_supported(0x0400));
  EXPECT_FALSE(scheme_supported(0x0407));
  auto sig = key("tests/data/server-rsa-key.pem").sign(0x0401, msg, *rng);
  ASSERT_TRUE(sig.ok());
  EXPECT_FALSE(verify_signature(cert("tests/data/server-rsa.pem"), 0x0501, msg, sig.value()));
  EXPECT_FALSE(verify_signature(cert("tests/data/server-ecdsa.pem"), 0x0401, msg, sig.value()));
}

// RSA below TLS 1.2 signs MD5 || SHA-1 without DigestInfo: check the raw block with the public key.
TEST(Certs, LegacyRsaSignatureIsRawMd5Sha1) {
  auto rng = deterministic_rng(14);
  const Bytes msg = hex("00112233");
  auto sig = key("tests/data/server-rsa-key.pem").sign(0, msg, *rng);
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 256u);
  EXPECT_TRUE(verify_signature(cert("tests/data/server-rsa.pem"), 0, msg, sig.value()));
  EXPECT_FALSE(verify_signature(cert("tests/data/server-rsa.pem"), 0x0201, msg, sig.value()));
}

}  // namespace
}  // namespace essl::crypto

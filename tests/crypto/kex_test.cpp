// Key exchange: both sides agree, peer values are validated, DH parameters parse, RSA key transport.
#include <gtest/gtest.h>

#include "crypto_glue/kex.hpp"
#include "test_util.hpp"

namespace essl::crypto {
namespace {

using test::hex;

TEST(Kex, EcdhBothSidesAgree) {
  auto rng = deterministic_rng(7);
  for (uint16_t g : {uint16_t{23}, uint16_t{24}, uint16_t{25}, uint16_t{29}}) {
    SCOPED_TRACE(g);
    ASSERT_TRUE(group_supported(g));
    auto a = ecdh(g, *rng);
    auto b = ecdh(g, *rng);
    ASSERT_TRUE(a && b);
    const Bytes pa = a->public_value(), pb = b->public_value();
    if (g != 29) {
      EXPECT_EQ(pa[0], 0x04);  // uncompressed
    } else {
      EXPECT_EQ(pa.size(), 32u);
    }
    auto za = a->agree(pb);
    auto zb = b->agree(pa);
    ASSERT_TRUE(za.ok() && zb.ok());
    EXPECT_EQ(za.value(), zb.value());
    const size_t field = g == 23 ? 32 : g == 24 ? 48 : g == 25 ? 66 : 32;
    EXPECT_EQ(za->size(), field);
  }
  EXPECT_FALSE(group_supported(22));
  EXPECT_EQ(ecdh(22, *rng), nullptr);
}

TEST(Kex, EcdhRejectsBadPoints) {
  auto rng = deterministic_rng(8);
  auto a = ecdh(23, *rng);
  auto b = ecdh(23, *rng);
  Bytes pb = b->public_value();
  auto expect_illegal = [&](const Bytes& p) {
    auto r = a->agree(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), AlertDescription::illegal_parameter);
  };
  Bytes off = pb;
  off.back() ^= 1;  // off the curve
  expect_illegal(off);
  Bytes compressed(pb.begin(), pb.begin() + 33);
  compressed[0] = static_cast<uint8_t>(2 + (pb.back() & 1));
  expect_illegal(compressed);  // only the uncompressed form is accepted
  expect_illegal(Bytes{0x00});  // the point at infinity
  expect_illegal(Bytes(65, 0));
  expect_illegal(Bytes{});
  Bytes longer = pb;
  longer.push_back(0);
  expect_illegal(longer);
  // A P-384 point offered to a P-256 key.
  expect_illegal(ecdh(24, *rng)->public_value());
}

TEST(Kex, X25519RejectsSmallOrder) {
  auto rng = deterministic_rng(9);
  auto a = ecdh(29, *rng);
  for (const Bytes& p : {Bytes(32, 0), hex("0100000000000000000000000000000000000000000000000000000000000000"),
                         hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")}) {
    auto r = a->agree(p);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), AlertDescription::illegal_parameter);
  }
  EXPECT_FALSE(a->agree(Bytes(31, 9)).ok());
}

TEST(Kex, DhDefaultGroupAgreesAndValidates) {
  auto rng = deterministic_rng(10);
  const DhParams& p = default_dh_params();
  EXPECT_EQ(p.p.size(), 256u);
  EXPECT_EQ(p.g, Bytes{2});
  auto a = dh(p, *rng);
  auto b = dh(p, *rng);
  ASSERT_TRUE(a && b);
  auto za = a->agree(b->public_value());
  auto zb = b->agree(a->public_value());
  ASSERT_TRUE(za.ok() && zb.ok());
  EXPECT_EQ(za.value(), zb.value());
  EXPECT_NE(za.value()[0], 0);  // leading zeros stripped (RFC 5246 8.1.2)
  Bytes pm1 = p.p;
  pm1.back() -= 1;
  for (const Bytes& y : {Bytes{0}, Bytes{1}, Bytes{}, pm1, p.p, Bytes(300, 0xff)}) {
    auto r = a->agree(y);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), AlertDescription::illegal_parameter);
  }
}

TEST(Kex, DhParamsParseAndCustomGroup) {
  const Bytes pem = test::read_file(test::source_path("tests/data/dh2048.pem"));
  auto params = parse_dh_params(pem);
  ASSERT_TRUE(params.ok()) << params.error();
  EXPECT_EQ(params->p.size(), 256u);
  auto rng = deterministic_rng(11);
  auto a = dh(params.value(), *rng);
  auto b = dh(params.value(), *rng);
  ASSERT_TRUE(a && b);
  auto za = a->agree(b->public_value());
  auto zb = b->agree(a->public_value());
  ASSERT_TRUE(za.ok() && zb.ok());
  EXPECT_EQ(za.value(), zb.value());

  EXPECT_FALSE(parse_dh_params(hex("3003020101")).ok());
  EXPECT_FALSE(parse_dh_params(Bytes{'x'}).ok());
  // A tiny group is refused when building a key pair.
  DhParams small{hex("fb"), hex("02")};  // p = 251
  EXPECT_EQ(dh(small, *rng), nullptr);
  DhParams bad_g = default_dh_params();
  bad_g.g = {1};
  EXPECT_EQ(dh(bad_g, *rng), nullptr);
}

TEST(Kex, DhParamsDer) {
  // SEQUENCE { INTEGER 23, INTEGER 5 }: parses (size limits are dh()'s business).
  auto r = parse_dh_params(hex("3006020117020105"));
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->p, Bytes{23});
  EXPECT_EQ(r->g, Bytes{5});
  EXPECT_FALSE(parse_dh_params(hex("300602011702010500")).ok());  // trailing byte
  EXPECT_FALSE(parse_dh_params(hex("3006020117020116")).ok());    // g = p - 1
}

TEST(Kex, RsaPremasterRoundTrip) {
  auto certs = parse_certificates(test::read_file(test::source_path("tests/data/server-rsa.pem")));
  ASSERT_TRUE(certs.ok());
  auto key = PrivateKey::parse(test::read_file(test::source_path("tests/data/server-rsa-key.pem")), "");
  ASSERT_TRUE(key.ok());
  auto rng = deterministic_rng(12);
  Bytes pms(48);
  rng->fill(pms);
  pms[0] = 3;
  pms[1] = 3;
  auto enc = rsa_encrypt_premaster(certs->front(), pms, *rng);
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(enc->size(), 256u);
  EXPECT_EQ(rsa_decrypt_premaster(key.value(), enc.value(), 0x0303, *rng), pms);
  // The wrong client_version in the premaster: random result, not an error.
  const Bytes other = rsa_decrypt_premaster(key.value(), enc.value(), 0x0302, *rng);
  EXPECT_EQ(other.size(), 48u);
  EXPECT_NE(other, pms);
  // A wrong-length premaster.
  auto enc47 = rsa_encrypt_premaster(certs->front(), Bytes(pms.begin(), pms.end() - 1), *rng);
  ASSERT_TRUE(enc47.ok());
  const Bytes r47 = rsa_decrypt_premaster(key.value(), enc47.value(), 0x0303, *rng);
  EXPECT_EQ(r47.size(), 48u);
  EXPECT_NE(Bytes(r47.begin(), r47.end() - 1), Bytes(pms.begin(), pms.end() - 1));
  // Garbage of every length.
  for (size_t n : {0, 1, 255, 256, 257, 512}) EXPECT_EQ(rsa_decrypt_premaster(key.value(), Bytes(n, 0xff), 0x0303, *rng).size(), 48u);
  // An ECDSA certificate cannot carry an RSA premaster.
  auto ec = parse_certificates(test::read_file(test::source_path("tests/data/server-ecdsa.pem")));
  ASSERT_TRUE(ec.ok());
  EXPECT_FALSE(rsa_encrypt_premaster(ec->front(), pms, *rng).ok());
}

}  // namespace
}  // namespace essl::crypto

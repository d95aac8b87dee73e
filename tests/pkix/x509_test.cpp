// The certificate and CRL views of crypto_glue/x509.hpp and their signature checks.
#include "crypto_glue/x509.hpp"

#include "tests/pkix/pkix_test.hpp"

namespace {

using namespace pkix_test;
namespace x509 = essl::x509;

x509::CertView view(const essl::Der& der) {
  auto r = x509::parse_certificate(der);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? r.value() : x509::CertView{};
}

TEST(X509View, ServerCertificateFields) {
  const auto c = view(cert("int-server"));
  const auto ca = view(cert("int-ca"));
  EXPECT_EQ(c.version, 3);
  ASSERT_EQ(c.subject.rdns.size(), 2u);
  EXPECT_EQ(c.subject.rdns[1][0].type, x509::oid::common_name);
  EXPECT_EQ(c.subject.rdns[1][0].value, "localhost");
  EXPECT_TRUE(c.issuer == ca.subject);
  EXPECT_FALSE(c.self_issued());
  ASSERT_TRUE(c.subject_alt_names.has_value());
  ASSERT_EQ(c.subject_alt_names->size(), 2u);
  EXPECT_EQ((*c.subject_alt_names)[0].type, x509::GeneralName::Type::dns);
  EXPECT_EQ((*c.subject_alt_names)[0].text, "localhost");
  EXPECT_EQ((*c.subject_alt_names)[1].ip, (x509::Bytes{127, 0, 0, 1}));
  ASSERT_TRUE(c.basic_constraints.has_value());
  EXPECT_FALSE(c.basic_constraints->ca);
  EXPECT_EQ(c.key_usage, uint16_t(x509::ku_digital_signature | x509::ku_key_encipherment));
  EXPECT_EQ(c.ext_key_usage, (std::vector<std::string>{x509::oid::server_auth}));
  ASSERT_TRUE(c.authority_key_id.has_value());
  EXPECT_FALSE(ca.subject_key_id.empty());
  EXPECT_EQ(c.authority_key_id->key_id, ca.subject_key_id);
  EXPECT_LT(c.not_before, c.not_after);
  // Which extensions validation handles itself: the SAN (not critical), SKI and AKI go to the fun.
  std::vector<std::pair<std::string, bool>> handled;
  for (const auto& e : c.extensions) handled.emplace_back(e.oid, e.handled);
  EXPECT_EQ(handled, (std::vector<std::pair<std::string, bool>>{{"2.5.29.17", false}, {"2.5.29.19", true},
                                                                 {"2.5.29.15", true}, {"2.5.29.37", true},
                                                                 {"2.5.29.14", false}, {"2.5.29.35", false}}));
  EXPECT_TRUE(ca.is_ca());
  EXPECT_EQ(*ca.key_usage, uint16_t(x509::ku_key_cert_sign | x509::ku_crl_sign));
}

TEST(X509View, Signatures) {
  const auto server = view(cert("int-server")), ca = view(cert("int-ca")), root = view(cert("ca"));
  EXPECT_TRUE(x509::signature_valid(server, ca));
  EXPECT_FALSE(x509::signature_valid(server, root));
  EXPECT_TRUE(x509::signature_valid(ca, root));
  EXPECT_TRUE(x509::signature_valid(root, root));
  auto tampered = cert("int-server");
  tampered[tampered.size() - 40] ^= 1;  // inside the signature
  EXPECT_FALSE(x509::signature_valid(view(tampered), ca));
}

TEST(X509View, DsaParametersAreInherited) {
  const auto dsa_ca = view(pkits_cert("DSACACert"));
  const auto inherited = view(pkits_cert("DSAParametersInheritedCACert"));
  const auto ee = view(pkits_cert("ValidDSAParameterInheritanceTest5EE"));
  EXPECT_TRUE(inherited.key.params_absent_or_null());
  EXPECT_TRUE(x509::signature_valid(inherited, dsa_ca));
  EXPECT_FALSE(x509::signature_valid(ee, inherited));
  EXPECT_TRUE(x509::signature_valid(ee, inherited.key, dsa_ca.key.params));
}

TEST(X509View, NamesCompareAfterNormalisation) {
  // UTF8String "Test Certificates 2011" vs the CA's differently cased value: RFC 5280 7.1.
  const auto ee = view(pkits_cert("ValidUTF8StringCaseInsensitiveMatchTest11EE"));
  const auto ca = view(pkits_cert("UTF8StringCaseInsensitiveMatchCACert"));
  EXPECT_NE(ee.issuer.der, ca.subject.der);
  EXPECT_TRUE(ee.issuer == ca.subject);
  const auto ws = view(pkits_cert("ValidNameChainingWhitespaceTest3EE"));
  const auto good = view(pkits_cert("GoodCACert"));
  EXPECT_NE(ws.issuer.der, good.subject.der);
  EXPECT_TRUE(ws.issuer == good.subject);
  // RDN order matters.
  const auto order = view(pkits_cert("InvalidNameChainingOrderTest2EE"));
  const auto order_ca = view(pkits_cert("NameOrderingCACert"));
  EXPECT_FALSE(order.issuer == order_ca.subject);
}

TEST(X509View, Crl) {
  const auto ca = view(pkits_cert("GoodCACert"));
  auto r = x509::parse_crl(pkits_crl("GoodCACRL"));
  ASSERT_TRUE(r.ok()) << r.error();
  const auto& crl = r.value();
  EXPECT_TRUE(crl.issuer == ca.subject);
  ASSERT_TRUE(crl.next_update.has_value());
  EXPECT_LT(crl.this_update, *crl.next_update);
  EXPECT_TRUE(crl.crl_number.has_value());
  EXPECT_FALSE(crl.delta_base_crl_number.has_value());
  ASSERT_FALSE(crl.revoked.empty());
  EXPECT_EQ(crl.revoked[0].reason, 1);  // keyCompromise
  EXPECT_FALSE(crl.unknown_critical_extension);
  EXPECT_TRUE(x509::crl_signature_valid(crl, ca));
  EXPECT_FALSE(x509::crl_signature_valid(crl, view(pkits_cert("TrustAnchorRootCertificate"))));
  auto delta = x509::parse_crl(pkits_crl("deltaCRLCA1deltaCRL"));
  ASSERT_TRUE(delta.ok()) << delta.error();
  EXPECT_TRUE(delta->delta_base_crl_number.has_value());
  auto idp = x509::parse_crl(pkits_crl("onlyContainsUserCertsCACRL"));
  ASSERT_TRUE(idp.ok()) << idp.error();
  ASSERT_TRUE(idp->idp.has_value());
  EXPECT_TRUE(idp->idp->only_user_certs);
  auto unknown = x509::parse_crl(pkits_crl("UnknownCRLEntryExtensionCACRL"));
  ASSERT_TRUE(unknown.ok()) << unknown.error();
  EXPECT_TRUE(unknown->unknown_critical_extension);
}

TEST(X509View, MalformedInputIsAnError) {
  EXPECT_FALSE(x509::parse_certificate({}).ok());
  EXPECT_FALSE(x509::parse_certificate(essl::Der{0x30, 0x80, 0x00, 0x00}).ok());
  auto der = cert("int-server");
  for (size_t cut : {size_t(1), size_t(10), der.size() / 2, der.size() - 1}) {
    essl::Der part(der.begin(), der.begin() + long(cut));
    EXPECT_FALSE(x509::parse_certificate(part).ok()) << cut;
  }
  der.push_back(0);
  EXPECT_FALSE(x509::parse_certificate(der).ok());  // trailing byte
  EXPECT_FALSE(x509::parse_crl(cert("int-server")).ok());
  EXPECT_FALSE(x509::parse_certificate(pkits_crl("GoodCACRL")).ok());
}

TEST(X509View, CompareIntegers) {
  using B = x509::Bytes;
  EXPECT_EQ(x509::compare_integers(B{0x01}, B{0x00, 0x01}), 0);
  EXPECT_EQ(x509::compare_integers(B{0x00, 0x80}, B{0x80}), 1);   // 128 > -128
  EXPECT_EQ(x509::compare_integers(B{0xFF}, B{0x80}), 1);         // -1 > -128
  EXPECT_EQ(x509::compare_integers(B{0x01, 0x00}, B{0x7F}), 1);   // 256 > 127
  EXPECT_EQ(x509::compare_integers(B{0xFF, 0x00}, B{0x80}), -1);  // -256 < -128
  EXPECT_EQ(x509::compare_integers(B{0x05}, B{0x06}), -1);
}

}  // namespace

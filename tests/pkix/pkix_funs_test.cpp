// The verify.hpp functions (reason atoms, alerts, BadCert::text, the default funs) and revocation
// through the CrlCache interface, on NIST PKITS certificates and CRLs.
#include <chrono>

#include "tests/pkix/pkix_test.hpp"

namespace {

using namespace pkix_test;
using essl::AlertDescription;
using essl::BadCert;
using essl::BadCertReason;
using essl::CrlCheck;
using essl::VerifyResult;

TEST(PkixFuns, AtomsAndAlerts) {
  EXPECT_EQ(essl::bad_cert_atom(BadCertReason::unknown_ca), "unknown_ca");
  EXPECT_EQ(essl::bad_cert_atom(BadCertReason::revocation_status_undetermined), "revocation_status_undetermined");
  EXPECT_EQ(essl::bad_cert_atom(BadCertReason::hostname_check_failed), "hostname_check_failed");
  // reference-behaviour.md's table.
  EXPECT_EQ(essl::bad_cert_alert(BadCertReason::cert_expired), AlertDescription::certificate_expired);
  for (auto r : {BadCertReason::invalid_issuer, BadCertReason::invalid_signature, BadCertReason::name_not_permitted,
                 BadCertReason::selfsigned_peer, BadCertReason::revocation_status_undetermined})
    EXPECT_EQ(essl::bad_cert_alert(r), AlertDescription::bad_certificate) << essl::bad_cert_atom(r);
  EXPECT_EQ(essl::bad_cert_alert(BadCertReason::unknown_critical_extension), AlertDescription::unsupported_certificate);
  EXPECT_EQ(essl::bad_cert_alert(BadCertReason::revoked), AlertDescription::certificate_revoked);
  EXPECT_EQ(essl::bad_cert_alert(BadCertReason::unknown_ca), AlertDescription::unknown_ca);
  for (auto r : {BadCertReason::max_path_length_reached, BadCertReason::missing_basic_constraint,
                 BadCertReason::invalid_key_usage, BadCertReason::invalid_ext_key_usage,
                 BadCertReason::hostname_check_failed, BadCertReason::invalid_policy})
    EXPECT_EQ(essl::bad_cert_alert(r), AlertDescription::handshake_failure) << essl::bad_cert_atom(r);
  EXPECT_EQ((BadCert{BadCertReason::unknown_ca, {}}.text()), "{bad_cert,unknown_ca}");
  EXPECT_EQ((BadCert{BadCertReason::revoked, "keyCompromise"}.text()), "{bad_cert,{revoked,keyCompromise}}");
}

TEST(PkixFuns, DefaultFuns) {
  const essl::Der der;
  std::any state;
  auto peer = essl::default_verify_fun_verify_peer();
  auto none = essl::default_verify_fun_verify_none();
  const essl::VerifyEvent bad = BadCert{BadCertReason::cert_expired, {}};
  const essl::VerifyEvent critical = essl::ExtensionEvent{"1.2.3", true, {}};
  const essl::VerifyEvent plain = essl::ExtensionEvent{"1.2.3", false, {}};

  const VerifyResult failed = peer.fun(der, bad, state);
  EXPECT_EQ(failed.kind, VerifyResult::Kind::fail);
  ASSERT_TRUE(std::holds_alternative<BadCert>(failed.reason));
  EXPECT_EQ(std::get<BadCert>(failed.reason).reason, BadCertReason::cert_expired);
  EXPECT_EQ(peer.fun(der, critical, state).kind, VerifyResult::Kind::unknown);
  EXPECT_EQ(peer.fun(der, plain, state).kind, VerifyResult::Kind::unknown);
  EXPECT_EQ(peer.fun(der, essl::Valid{}, state).kind, VerifyResult::Kind::valid);
  EXPECT_EQ(peer.fun(der, essl::ValidPeer{}, state).kind, VerifyResult::Kind::valid);

  EXPECT_EQ(none.fun(der, bad, state).kind, VerifyResult::Kind::valid);
  EXPECT_EQ(none.fun(der, critical, state).kind, VerifyResult::Kind::valid);
  EXPECT_EQ(none.fun(der, plain, state).kind, VerifyResult::Kind::unknown);
  EXPECT_EQ(none.fun(der, essl::ValidPeer{}, state).kind, VerifyResult::Kind::valid);
}

TEST(PkixFuns, UnknownCriticalExtension) {
  essl::pkix::Request r;
  r.anchors = {pkits_cert("TrustAnchorRootCertificate")};
  r.chain = {pkits_cert("InvalidUnknownCriticalCertificateExtensionTest2EE")};
  r.time = std::chrono::system_clock::time_point(std::chrono::seconds(1577836800));
  auto res = essl::pkix::validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "unknown_critical_extension");
  EXPECT_EQ(res.error().alert, AlertDescription::unsupported_certificate);
  // verify_none accepts critical extensions it is shown.
  r.verify_fun = essl::default_verify_fun_verify_none();
  EXPECT_TRUE(essl::pkix::validate(r).ok());
  // A fun that answers unknown but accepts every bad_cert sees the failure as an event.
  Recorder rec;
  rec.answer = [](const essl::VerifyEvent& ev) {
    return std::holds_alternative<essl::ExtensionEvent>(ev) ? VerifyResult::unknown() : VerifyResult::valid();
  };
  r.verify_fun = rec.fun();
  ASSERT_TRUE(essl::pkix::validate(r).ok());
  EXPECT_EQ(rec.trace.at(rec.trace.size() - 2), "{bad_cert,unknown_critical_extension}");
}

// A CRL store that records what validation asks of it.
class FakeCache : public essl::CrlCache {
 public:
  std::vector<essl::Der> crls;
  std::vector<essl::Der> fresh;
  int lookups = 0, selects = 0, fresh_calls = 0;
  std::vector<essl::Der> selected_issuers;

  std::optional<std::vector<essl::Der>> lookup(const essl::DistributionPoint&) override {
    ++lookups;
    return std::nullopt;
  }
  std::vector<essl::Der> select(std::span<const uint8_t> issuer) override {
    ++selects;
    selected_issuers.emplace_back(issuer.begin(), issuer.end());
    return crls;
  }
  std::vector<essl::Der> fresh_crl(const essl::DistributionPoint&, const std::vector<essl::Der>&) override {
    ++fresh_calls;
    return fresh;
  }
};

essl::pkix::Request pkits_request(const std::string& ee, const std::string& ca) {
  essl::pkix::Request r;
  r.anchors = {pkits_cert("TrustAnchorRootCertificate")};
  r.chain = {pkits_cert(ee), pkits_cert(ca)};
  r.time = std::chrono::system_clock::time_point(std::chrono::seconds(1577836800));  // 2020-01-01
  r.crl_check = CrlCheck::on;
  return r;
}

TEST(PkixRevocation, RevokedThroughTheCache) {
  FakeCache cache;
  cache.crls = {pkits_crl("TrustAnchorRootCRL"), pkits_crl("GoodCACRL")};
  auto r = pkits_request("InvalidRevokedEETest3EE", "GoodCACert");
  r.crl_cache = &cache;
  Recorder rec;
  rec.answer = [](const essl::VerifyEvent& ev) {
    return std::holds_alternative<BadCert>(ev) ? VerifyResult::fail(std::get<BadCert>(ev)) : VerifyResult::valid();
  };
  r.verify_fun = rec.fun();
  const auto res = essl::pkix::validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "{revoked,keyCompromise}");
  EXPECT_EQ(res.error().alert, AlertDescription::certificate_revoked);
  // After the fun accepted the certificate, it is reported again as revoked.
  ASSERT_GE(rec.trace.size(), 2u);
  EXPECT_EQ(rec.trace[rec.trace.size() - 2], "valid_peer");
  EXPECT_EQ(rec.trace.back(), "{bad_cert,{revoked,keyCompromise}}");
  // Neither certificate names a distribution point: the cache was asked by issuer.
  EXPECT_EQ(cache.lookups, 0);
  EXPECT_EQ(cache.selects, 2);
  ASSERT_EQ(cache.selected_issuers.size(), 2u);
  EXPECT_NE(cache.selected_issuers[0], cache.selected_issuers[1]);
}

TEST(PkixRevocation, Modes) {
  // Valid path, no CRLs anywhere.
  auto r = pkits_request("ValidCertificatePathTest1EE", "GoodCACert");
  auto res = essl::pkix::validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "revocation_status_undetermined");
  EXPECT_EQ(res.error().alert, AlertDescription::bad_certificate);
  r.crl_check = CrlCheck::best_effort;
  EXPECT_TRUE(essl::pkix::validate(r).ok());
  r.crl_check = CrlCheck::off;
  EXPECT_TRUE(essl::pkix::validate(r).ok());
  // peer: only the peer's CRL is needed.
  r.crl_check = CrlCheck::peer;
  r.crls = {pkits_crl("GoodCACRL")};
  EXPECT_TRUE(essl::pkix::validate(r).ok());
  r.crl_check = CrlCheck::on;
  EXPECT_EQ(essl::pkix::validate(r).error().reason, "revocation_status_undetermined");
  r.crls.push_back(pkits_crl("TrustAnchorRootCRL"));
  EXPECT_TRUE(essl::pkix::validate(r).ok());
  // A revoked intermediate is found with `on`, not with `peer`.
  auto ca = pkits_request("InvalidRevokedCATest2EE", "RevokedsubCACert");
  ca.chain.push_back(pkits_cert("GoodCACert"));
  ca.depth = 2;
  ca.crls = {pkits_crl("TrustAnchorRootCRL"), pkits_crl("GoodCACRL"), pkits_crl("RevokedsubCACRL")};
  EXPECT_EQ(essl::pkix::validate(ca).error().reason, "{revoked,keyCompromise}");
  ca.crl_check = CrlCheck::peer;
  EXPECT_TRUE(essl::pkix::validate(ca).ok());
}

TEST(PkixRevocation, StaleCrlIsRefreshedThroughTheCache) {
  FakeCache cache;
  cache.crls = {pkits_crl("TrustAnchorRootCRL"), pkits_crl("GoodCACRL")};
  auto r = pkits_request("ValidCertificatePathTest1EE", "GoodCACert");
  r.crl_cache = &cache;
  r.time = std::chrono::system_clock::time_point(std::chrono::seconds(1956528000));  // 2032, after nextUpdate
  r.verify_fun = essl::default_verify_fun_verify_peer();
  // The certificates are expired by then too; accept that, not the stale CRLs.
  Recorder rec;
  rec.answer = [](const essl::VerifyEvent& ev) {
    const auto* b = std::get_if<BadCert>(&ev);
    return b && b->reason != BadCertReason::cert_expired ? VerifyResult::fail(*b) : VerifyResult::valid();
  };
  r.verify_fun = rec.fun();
  const auto res = essl::pkix::validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "revocation_status_undetermined");
  EXPECT_GE(cache.fresh_calls, 1);
}

}  // namespace

// Path validation on the test PKI: the verify fun's events and their order, user state, {fail, R},
// depth, partial_chain, chains out of order or with extra certificates, selfsigned_peer, unknown_ca,
// expiry, host names and extended key usage.
#include "tests/pkix/pkix_test.hpp"

#include <chrono>

namespace {

using namespace pkix_test;
using essl::AlertDescription;
using essl::pkix::Purpose;
using essl::pkix::Request;
using essl::pkix::validate;

Request request(std::vector<essl::Der> chain, std::vector<essl::Der> anchors = {cert("ca")}) {
  Request r;
  r.chain = std::move(chain);
  r.anchors = std::move(anchors);
  return r;
}

// The path ca -> int-ca -> int-server, as a client sees it.
Request one_intermediate() { return request({cert("int-server"), cert("int-ca")}); }

TEST(Pkix, EventOrderForPeerAndOneIntermediate) {
  Recorder rec;
  Request r = one_intermediate();
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  // reference-behaviour.md: the observed trace for peer + one intermediate.
  EXPECT_EQ(joined(rec.trace),
            "{extension,SKI} {extension,AKI} valid {extension,SAN} {extension,SKI} {extension,AKI} valid_peer");
  ASSERT_EQ(rec.certs.size(), 7u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(rec.certs[i], cert("int-ca")) << i;
  for (size_t i = 3; i < 7; ++i) EXPECT_EQ(rec.certs[i], cert("int-server")) << i;
}

TEST(Pkix, ExtensionEventCarriesTheExtension) {
  essl::ExtensionEvent san;
  Request r = one_intermediate();
  r.verify_fun = {[&](std::span<const uint8_t>, const essl::VerifyEvent& ev, std::any&) {
                    if (const auto* e = std::get_if<essl::ExtensionEvent>(&ev); e && e->oid == "2.5.29.17") san = *e;
                    return essl::VerifyResult::valid();
                  },
                  {}};
  ASSERT_TRUE(validate(r).ok());
  EXPECT_FALSE(san.critical);
  // SEQUENCE { [2] "localhost", [7] 127.0.0.1 }
  const essl::Der want = {0x30, 0x11, 0x82, 0x09, 'l', 'o', 'c', 'a', 'l',
                          'h',  'o',  's',  't',  0x87, 0x04, 127, 0,  0,  1};
  EXPECT_EQ(san.value, want);
}

TEST(Pkix, UserStateIsThreadedThroughEveryCall) {
  std::vector<int> seen;
  Request r = one_intermediate();
  r.verify_fun = {[&](std::span<const uint8_t>, const essl::VerifyEvent&, std::any& state) {
                    int& n = std::any_cast<int&>(state);
                    seen.push_back(n);
                    ++n;
                    return essl::VerifyResult::valid();
                  },
                  std::any(100)};
  essl::pkix::Outcome out;
  r.outcome = &out;
  ASSERT_TRUE(validate(r).ok());
  EXPECT_EQ(seen, (std::vector<int>{100, 101, 102, 103, 104, 105, 106}));
  EXPECT_EQ(std::any_cast<int>(out.user_state), 107);
  // The request's initial state is copied, not changed.
  EXPECT_EQ(std::any_cast<int>(r.verify_fun.initial_user_state), 100);
}

TEST(Pkix, UserFailStopsAtOnce) {
  Recorder rec;
  rec.answer = [](const essl::VerifyEvent& ev) {
    return std::holds_alternative<essl::Valid>(ev) ? essl::VerifyResult::fail(std::string("not this CA"))
                                                   : essl::VerifyResult::unknown();
  };
  Request r = one_intermediate();
  r.verify_fun = rec.fun();
  const auto res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "not this CA");
  EXPECT_EQ(res.error().alert, AlertDescription::handshake_failure);
  EXPECT_EQ(joined(rec.trace), "{extension,SKI} {extension,AKI} valid");
}

TEST(Pkix, FailWithBadCertTakesItsAlert) {
  Recorder rec;
  rec.answer = [](const essl::VerifyEvent& ev) {
    return std::holds_alternative<essl::ValidPeer>(ev)
               ? essl::VerifyResult::fail(essl::BadCert{essl::BadCertReason::revoked, "superseded"})
               : essl::VerifyResult::valid();
  };
  Request r = one_intermediate();
  r.verify_fun = rec.fun();
  const auto res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "{revoked,superseded}");
  EXPECT_EQ(res.error().alert, AlertDescription::certificate_revoked);
}

TEST(Pkix, DefaultFunIsVerifyPeer) {
  Request r = one_intermediate();
  r.time = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 230));  // about 2200
  const auto res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "cert_expired");
  EXPECT_EQ(res.error().alert, AlertDescription::certificate_expired);
}

TEST(Pkix, ExpiredCertificatesAreReportedEachAndCanBeAccepted) {
  Recorder rec;
  Request r = one_intermediate();
  r.verify_fun = rec.fun();
  r.time = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 230));
  ASSERT_TRUE(validate(r).ok());
  EXPECT_EQ(joined(rec.trace),
            "{extension,SKI} {extension,AKI} {bad_cert,cert_expired} valid "
            "{extension,SAN} {extension,SKI} {extension,AKI} {bad_cert,cert_expired} valid_peer");
  r.time = std::chrono::system_clock::time_point(std::chrono::hours(24 * 365 * 20));  // 1990
  rec.trace.clear();
  ASSERT_TRUE(validate(r).ok());
  EXPECT_EQ(rec.trace.at(2), "{bad_cert,cert_expired}");
}

TEST(Pkix, DepthCountsIntermediates) {
  Request r = one_intermediate();
  r.depth = 0;
  auto res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "max_path_length_reached");
  EXPECT_EQ(res.error().alert, AlertDescription::handshake_failure);
  r.depth = 1;
  EXPECT_TRUE(validate(r).ok());

  Request two = request({cert("int2-server"), cert("int2-ca"), cert("int-ca")});
  two.depth = 1;
  Recorder rec;
  rec.answer = [](const essl::VerifyEvent& ev) {
    return std::holds_alternative<essl::BadCert>(ev) ? essl::VerifyResult::fail(std::get<essl::BadCert>(ev))
                                                     : essl::VerifyResult::valid();
  };
  two.verify_fun = rec.fun();
  res = validate(two);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "max_path_length_reached");
  // Reported on the intermediate that is one too many.
  EXPECT_EQ(rec.certs.back(), cert("int2-ca"));
  two.depth = 2;
  EXPECT_TRUE(validate(two).ok());
  // A peer signed by the anchor itself passes with depth 0.
  Request direct = request({cert("server-rsa")});
  direct.depth = 0;
  EXPECT_TRUE(validate(direct).ok());
}

TEST(Pkix, OutOfOrderAndExtraCertificates) {
  Request r = request({cert("int2-server"), cert("other-ca"), cert("int-ca"), cert("server-rsa"), cert("int2-ca"),
                       cert("int-ca")});
  r.depth = 2;
  Recorder rec;
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  // Only the path's certificates are reported: int-ca, int2-ca, int2-server.
  std::vector<essl::Der> reported;
  for (const auto& c : rec.certs)
    if (reported.empty() || reported.back() != c) reported.push_back(c);
  EXPECT_EQ(reported, (std::vector<essl::Der>{cert("int-ca"), cert("int2-ca"), cert("int2-server")}));
  // The anchor may be sent too.
  Request with_root = request({cert("int-server"), cert("ca"), cert("int-ca")});
  EXPECT_TRUE(validate(with_root).ok());
}

TEST(Pkix, PartialChainReceivesTheChainRootFirstAndMayChooseTheAnchor) {
  std::vector<essl::Der> given;
  Request r = request({cert("int-server"), cert("int-ca")}, {});
  r.partial_chain = [&](const std::vector<essl::Der>& chain) -> std::optional<essl::Der> {
    given = chain;
    return cert("int-ca");
  };
  Recorder rec;
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  EXPECT_EQ(given, (std::vector<essl::Der>{cert("int-ca"), cert("int-server")}));
  EXPECT_EQ(joined(rec.trace), "{extension,SAN} {extension,SKI} {extension,AKI} valid_peer");

  r.verify_fun = {};
  r.partial_chain = [](const std::vector<essl::Der>&) -> std::optional<essl::Der> { return std::nullopt; };
  auto res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "unknown_ca");
  // A certificate that is not in the chain is not trusted.
  r.partial_chain = [](const std::vector<essl::Der>&) -> std::optional<essl::Der> { return cert("ca"); };
  res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().alert, AlertDescription::unknown_ca);
  // Not called when the chain reaches a trusted anchor.
  bool called = false;
  Request trusted = one_intermediate();
  trusted.partial_chain = [&](const std::vector<essl::Der>&) -> std::optional<essl::Der> {
    called = true;
    return std::nullopt;
  };
  EXPECT_TRUE(validate(trusted).ok());
  EXPECT_FALSE(called);
}

TEST(Pkix, SelfSignedPeer) {
  Request r = request({cert("other-ca")});
  auto res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "selfsigned_peer");
  EXPECT_EQ(res.error().alert, AlertDescription::bad_certificate);
  Recorder rec;
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  ASSERT_FALSE(rec.trace.empty());
  EXPECT_EQ(rec.trace.front(), "{bad_cert,selfsigned_peer}");
  EXPECT_EQ(rec.trace.back(), "valid_peer");
  // Trusted, the same certificate is valid.
  EXPECT_TRUE(validate(request({cert("other-ca")}, {cert("other-ca")})).ok());
}

TEST(Pkix, UnknownCa) {
  Request r = request({cert("int-server"), cert("int-ca")}, {cert("other-ca")});
  auto res = validate(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "unknown_ca");
  EXPECT_EQ(res.error().alert, AlertDescription::unknown_ca);
  Recorder rec;
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  // Reported first, with the peer certificate; the top of the chain then stands in for the anchor.
  EXPECT_EQ(joined(rec.trace), "{bad_cert,unknown_ca} {extension,SAN} {extension,SKI} {extension,AKI} valid_peer");
  EXPECT_EQ(rec.certs.front(), cert("int-server"));
  // No anchors at all.
  EXPECT_EQ(validate(request({cert("server-rsa")}, {})).error().reason, "unknown_ca");
}

TEST(Pkix, HostnameChecks) {
  auto check = [](const std::string& leaf, const std::string& host) {
    Request r = request({cert(leaf)});
    r.hostname = host;
    return validate(r);
  };
  EXPECT_TRUE(check("server-rsa", "localhost").ok());
  EXPECT_TRUE(check("server-rsa", "LocalHost.").ok());
  EXPECT_TRUE(check("server-rsa", "127.0.0.1").ok());
  EXPECT_TRUE(check("server-rsa", "::1").ok());
  const auto res = check("server-rsa", "example.com");
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "hostname_check_failed");
  EXPECT_EQ(res.error().alert, AlertDescription::handshake_failure);
  EXPECT_FALSE(check("server-rsa", "127.0.0.2").ok());
  // *.example.com: one whole left-most label.
  EXPECT_TRUE(check("wildcard-server", "www.example.com").ok());
  EXPECT_TRUE(check("wildcard-server", "WWW.Example.COM").ok());
  EXPECT_FALSE(check("wildcard-server", "example.com").ok());
  EXPECT_FALSE(check("wildcard-server", "a.b.example.com").ok());
  EXPECT_FALSE(check("wildcard-server", "wildcard").ok());  // the CN is not used when SANs name hosts
  // No subjectAltName: the common name.
  EXPECT_TRUE(check("cn-server", "cn-only.example.com").ok());
  EXPECT_FALSE(check("cn-server", "other.example.com").ok());
  // Reported after the other checks, before valid_peer, and acceptable.
  Recorder rec;
  Request r = one_intermediate();
  r.hostname = "example.org";
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  EXPECT_EQ(rec.trace.at(rec.trace.size() - 2), "{bad_cert,hostname_check_failed}");
}

TEST(Pkix, ExtendedKeyUsage) {
  auto check = [](const std::string& leaf, Purpose p) {
    Request r = request({cert(leaf)});
    r.purpose = p;
    return validate(r);
  };
  EXPECT_TRUE(check("server-rsa", Purpose::server_auth).ok());
  EXPECT_TRUE(check("client-rsa", Purpose::client_auth).ok());
  EXPECT_TRUE(check("client-rsa", Purpose::any).ok());
  EXPECT_TRUE(check("cn-server", Purpose::client_auth).ok());  // no extendedKeyUsage: any use
  const auto res = check("client-rsa", Purpose::server_auth);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "invalid_ext_key_usage");
  EXPECT_EQ(res.error().alert, AlertDescription::handshake_failure);
  EXPECT_EQ(check("server-rsa", Purpose::client_auth).error().reason, "invalid_ext_key_usage");
}

TEST(Pkix, TrustedPeerNeedsNoIssuer) {
  Recorder rec;
  Request r = request({cert("int-server")}, {cert("int-server")});
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  EXPECT_EQ(joined(rec.trace), "{extension,SAN} {extension,SKI} {extension,AKI} valid_peer");
}

TEST(Pkix, TrustedIntermediateIsAnAnchor) {
  // int-ca is trusted itself; the unrelated int2-ca is left out.
  Recorder rec;
  Request r = request({cert("int-server"), cert("int2-ca")}, {cert("ca"), cert("int-ca")});
  r.verify_fun = rec.fun();
  ASSERT_TRUE(validate(r).ok());
  EXPECT_EQ(joined(rec.trace), "{extension,SAN} {extension,SKI} {extension,AKI} valid_peer");
}

TEST(Pkix, PathSearchIsBounded) {
  // 60 distinct self-issued certificates of one name (serial numbers changed, signatures broken): every
  // one could issue every other. The search stops early and reports the chain as untrusted.
  std::vector<essl::Der> chain;
  for (int i = 0; i < 60; ++i) {
    essl::Der d = cert("other-ca");
    d[20] = uint8_t(i);
    d[21] = uint8_t(i * 7);
    chain.push_back(d);
  }
  const auto start = std::chrono::steady_clock::now();
  const auto res = validate(request(chain));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().reason, "unknown_ca");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(Pkix, MalformedCertificates) {
  auto res = validate(request({essl::Der{0x30, 0x03, 0x02, 0x01, 0x01}}));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().alert, AlertDescription::certificate_unknown);
  essl::Der truncated = cert("int-ca");
  truncated.resize(truncated.size() / 2);
  EXPECT_EQ(validate(request({cert("int-server"), truncated})).error().alert, AlertDescription::certificate_unknown);
  EXPECT_FALSE(validate(request({})).ok());
  // An undecodable anchor is ignored.
  EXPECT_TRUE(validate(request({cert("server-rsa")}, {essl::Der{1, 2, 3}, cert("ca")})).ok());
}

}  // namespace

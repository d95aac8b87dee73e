// The suite coverage of `essl conformance --full` (compute_coverage) and the essl peer that stands in
// for the suites no installed implementation has.
#include <gtest/gtest.h>

#include <deque>

#include "conformance/coverage.hpp"
#include "conformance/peer.hpp"
#include "conformance/runner.hpp"

namespace essl::conformance {
namespace {

Case cell(PeerId p, Role r, Version v, std::string_view suite) {
  Case c;
  c.group = "matrix";
  c.peer = p;
  c.role = r;
  c.essl_versions = c.peer_versions = {v};
  c.expect_suite = find_suite_by_name(suite);
  c.essl_suites = c.peer_suites = {c.expect_suite};
  c.expect_version = v;
  c.id = std::string(peer_name(p)) + "/" + std::string(role_name(r)) + "/" + std::string(version_atom(v)) + "/" +
         std::string(suite);
  return c;
}

struct Cells {
  std::deque<Case> cases;
  std::deque<CellResult> results;
  std::vector<CellRef> refs;
  void add(Case c, Outcome o) {
    cases.push_back(std::move(c));
    results.push_back({o, {}, {}, 0});
    refs.push_back({&cases.back(), &results.back()});
  }
};

const SuiteCoverage& of(const Coverage& cov, std::string_view suite) {
  for (const SuiteCoverage& sc : cov.suites)
    if (sc.suite == find_suite_by_name(suite)) return sc;
  throw std::runtime_error("no such suite in the coverage");
}

TEST(Coverage, EverySuiteOfTheFullListWithTheVersionsItExistsAt) {
  const Coverage cov = compute_coverage({});
  size_t listed = 0;
  for (const SuiteInfo& s : cipher_suites(SuiteListType::all)) listed += key_exchange_implemented(s.spec.key_exchange);
  EXPECT_EQ(cov.suites.size(), listed);
  EXPECT_EQ(cov.uncovered, listed);
  EXPECT_EQ(cov.by_peer + cov.essl_only, 0u);
  const SuiteCoverage& gcm = of(cov, "ECDHE-RSA-AES128-GCM-SHA256");
  ASSERT_EQ(gcm.versions.size(), 1u);
  EXPECT_EQ(gcm.versions[0].version, Version::tlsv1_2);
  EXPECT_EQ(of(cov, "AES128-SHA").versions.size(), 3u);
}

TEST(Coverage, PeersRolesAndStatus) {
  Cells cells;
  // AES128-SHA: OpenSSL in both roles at TLS 1.2, Erlang as client at TLS 1.0 (its other cell failed).
  cells.add(cell(PeerId::openssl, Role::client, Version::tlsv1_2, "AES128-SHA"), Outcome::pass);
  cells.add(cell(PeerId::openssl, Role::server, Version::tlsv1_2, "AES128-SHA"), Outcome::xpass);
  cells.add(cell(PeerId::erlang, Role::client, Version::tlsv1, "AES128-SHA"), Outcome::pass);
  cells.add(cell(PeerId::erlang, Role::server, Version::tlsv1, "AES128-SHA"), Outcome::fail);
  // DHE-DSS-DES-CBC-SHA: essl against itself only; the other peers could not.
  cells.add(cell(PeerId::essl, Role::client, Version::tlsv1, "EDH-DSS-DES-CBC-SHA"), Outcome::pass);
  cells.add(cell(PeerId::gnutls, Role::client, Version::tlsv1, "EDH-DSS-DES-CBC-SHA"), Outcome::unsupported);
  // RC4-MD5: an expected failure is no coverage.
  cells.add(cell(PeerId::gnutls, Role::client, Version::tlsv1, "RC4-MD5"), Outcome::expected);
  // Behaviour checks do not count.
  Case check = cell(PeerId::openssl, Role::client, Version::tlsv1_2, "RC4-MD5");
  check.group = "behaviour";
  cells.add(check, Outcome::pass);

  const Coverage cov = compute_coverage(cells.refs);
  const SuiteCoverage& aes = of(cov, "AES128-SHA");
  EXPECT_EQ(aes.status, CoverageStatus::peer);
  EXPECT_EQ(aes.peers, (std::set<PeerId>{PeerId::openssl, PeerId::erlang}));
  ASSERT_EQ(aes.versions.size(), 3u);
  EXPECT_EQ(aes.versions[0].status, CoverageStatus::peer);  // tlsv1
  EXPECT_EQ(aes.versions[0].passed.at(PeerId::erlang), std::set<Role>{Role::client});
  EXPECT_EQ(aes.versions[0].failed.at(PeerId::erlang), 1u);
  EXPECT_EQ(aes.versions[1].status, CoverageStatus::uncovered);  // tlsv1.1
  EXPECT_EQ(aes.versions[2].passed.at(PeerId::openssl), (std::set<Role>{Role::client, Role::server}));

  const SuiteCoverage& des = of(cov, "EDH-DSS-DES-CBC-SHA");
  EXPECT_EQ(des.status, CoverageStatus::essl_only);
  EXPECT_TRUE(des.peers.empty());
  EXPECT_EQ(of(cov, "RC4-MD5").status, CoverageStatus::uncovered);

  EXPECT_EQ(cov.by_peer, 1u);
  EXPECT_EQ(cov.essl_only, 1u);
  EXPECT_EQ(cov.uncovered, cov.suites.size() - 2);
  EXPECT_EQ(cov.per_peer, (std::map<PeerId, size_t>{{PeerId::openssl, 1}, {PeerId::erlang, 1}}));
  EXPECT_EQ(cov.pairs_by_peer, 2u);
  EXPECT_EQ(cov.pairs_essl_only, 1u);
}

// essl against itself: a whole handshake with client authentication, then a resumed one, in a suite no
// installed peer has; and a case the two sides cannot agree on fails as it would with another peer.
TEST(EsslPeer, MutualAndResumedInASuiteNoPeerHas) {
  auto peer = make_peer(PeerId::essl);
  ASSERT_TRUE(peer->availability().empty());
  Case c = cell(PeerId::essl, Role::client, Version::tlsv1_2, "EDH-DSS-DES-CBC-SHA");
  c.server_cert = "server-dsa";
  c.client_cert = c.server_requires_cert = true;
  c.resume = true;
  ASSERT_TRUE(peer->cannot(c).empty());
  const CellResult r = run_case(*peer, c);
  EXPECT_EQ(r.outcome, Outcome::pass) << r.detail;

  Case server = c;
  server.role = Role::server;
  const CellResult rs = run_case(*peer, server);
  EXPECT_EQ(rs.outcome, Outcome::pass) << rs.detail;
}

TEST(EsslPeer, NoCommonSuiteFails) {
  auto peer = make_peer(PeerId::essl);
  Case c = cell(PeerId::essl, Role::client, Version::tlsv1_2, "AES128-SHA");
  c.peer_suites = {find_suite_by_name("AES256-SHA")};
  const CellResult r = run_case(*peer, c);
  EXPECT_EQ(r.outcome, Outcome::fail);
}

}  // namespace
}  // namespace essl::conformance

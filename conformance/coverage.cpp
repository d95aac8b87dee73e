#include "conformance/coverage.hpp"

#include <algorithm>

namespace essl::conformance {

const std::vector<Version>& matrix_versions() {
  static const std::vector<Version> v = {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2};
  return v;
}

std::string_view coverage_status_name(CoverageStatus s) {
  switch (s) {
    case CoverageStatus::peer: return "peer";
    case CoverageStatus::essl_only: return "essl-to-essl only";
    case CoverageStatus::uncovered: return "uncovered";
  }
  return "?";
}

namespace {

CoverageStatus status_of(const std::map<PeerId, std::set<Role>>& passed) {
  bool essl = false;
  for (const auto& [p, roles] : passed) {
    if (roles.empty()) continue;
    if (p != PeerId::essl) return CoverageStatus::peer;
    essl = true;
  }
  return essl ? CoverageStatus::essl_only : CoverageStatus::uncovered;
}

}  // namespace

Coverage compute_coverage(const std::vector<CellRef>& cells) {
  Coverage out;
  std::map<uint16_t, size_t> index;  // suite id -> position in out.suites
  for (const SuiteInfo& s : cipher_suites(SuiteListType::all)) {
    if (!key_exchange_implemented(s.spec.key_exchange)) continue;
    SuiteCoverage sc;
    sc.suite = find_suite(s.id);
    for (Version v : matrix_versions())
      if (suite_allowed_at(s, v)) sc.versions.push_back({v, {}, {}, CoverageStatus::uncovered});
    if (sc.versions.empty()) continue;
    index[s.id] = out.suites.size();
    out.suites.push_back(std::move(sc));
  }
  for (const CellRef& cell : cells) {
    const Case& c = *cell.c;
    if (c.group != "matrix" || !c.expect_suite || !c.expect_version) continue;
    auto at = index.find(c.expect_suite->id);
    if (at == index.end()) continue;
    auto& versions = out.suites[at->second].versions;
    auto v = std::find_if(versions.begin(), versions.end(), [&](const auto& x) { return x.version == *c.expect_version; });
    if (v == versions.end()) continue;
    if (cell.r->outcome == Outcome::pass || cell.r->outcome == Outcome::xpass) v->passed[c.peer].insert(c.role);
    else if (cell.r->outcome == Outcome::fail) ++v->failed[c.peer];
  }
  for (SuiteCoverage& sc : out.suites) {
    std::map<PeerId, std::set<Role>> all;
    for (SuiteVersionCoverage& v : sc.versions) {
      v.status = status_of(v.passed);
      ++out.pairs;
      if (v.status == CoverageStatus::peer) ++out.pairs_by_peer;
      else if (v.status == CoverageStatus::essl_only) ++out.pairs_essl_only;
      else ++out.pairs_uncovered;
      for (const auto& [p, roles] : v.passed) {
        all[p].insert(roles.begin(), roles.end());
        if (p != PeerId::essl && !roles.empty()) sc.peers.insert(p);
      }
    }
    sc.status = status_of(all);
    if (sc.status == CoverageStatus::peer) ++out.by_peer;
    else if (sc.status == CoverageStatus::essl_only) ++out.essl_only;
    else ++out.uncovered;
    for (PeerId p : sc.peers) ++out.per_peer[p];
  }
  return out;
}

}  // namespace essl::conformance

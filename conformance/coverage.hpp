// Suite coverage of a full matrix run: for every suite of cipher_suites(all), at each version it may be
// negotiated at, the implementations it passed with and in which of essl's roles.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "conformance/case.hpp"

namespace essl::conformance {

// The versions the matrix runs: TLS 1.0 to 1.2.
const std::vector<Version>& matrix_versions();

struct CellRef {
  const Case* c;
  const CellResult* r;
};

enum class CoverageStatus { peer, essl_only, uncovered };
std::string_view coverage_status_name(CoverageStatus s);  // "peer", "essl-to-essl only", "uncovered"

struct SuiteVersionCoverage {
  Version version;
  std::map<PeerId, std::set<Role>> passed;  // the peers (essl among them) with a passing cell, by essl's role
  std::map<PeerId, size_t> failed;          // failing cells (expected failures not counted)
  CoverageStatus status = CoverageStatus::uncovered;
};

struct SuiteCoverage {
  const SuiteInfo* suite = nullptr;
  std::vector<SuiteVersionCoverage> versions;  // the matrix versions the suite is allowed at
  std::set<PeerId> peers;                      // the other implementations it passed with
  CoverageStatus status = CoverageStatus::uncovered;
};

struct Coverage {
  std::vector<SuiteCoverage> suites;
  size_t by_peer = 0, essl_only = 0, uncovered = 0;  // suites
  std::map<PeerId, size_t> per_peer;                 // suites each other implementation passed
  size_t pairs = 0, pairs_by_peer = 0, pairs_essl_only = 0, pairs_uncovered = 0;  // suite x version
};

// From the matrix cells of a run (other cells are ignored); a pass and an unexpected pass both count.
Coverage compute_coverage(const std::vector<CellRef>& cells);

}  // namespace essl::conformance

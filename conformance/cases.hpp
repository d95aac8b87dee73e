// The cases: the interop matrix (one table of axes) and the documented-behaviour checks (one table of
// rows), expanded for each peer.
#pragma once
#include <vector>

#include "conformance/case.hpp"

namespace essl::conformance {

// full: every peer x role x version x suite (both support) x {server_auth, mutual} x {full, resumed},
// and the same cells essl against essl (peer essl, essl as client); otherwise the representative slice.
std::vector<Case> matrix_cases(bool full);
std::vector<Case> behaviour_cases();

}  // namespace essl::conformance

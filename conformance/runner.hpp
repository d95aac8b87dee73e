// Runs one Case: essl through its public API on one side, the peer adapter on the other.
#pragma once
#include "conformance/case.hpp"
#include "conformance/peer.hpp"

namespace essl::conformance {

// pass or fail (with the reason); whether the peer can express the case is asked before.
CellResult run_case(Peer& peer, const Case& c);

// essl's options for its side of the case.
Options essl_options(const Case& c);

}  // namespace essl::conformance

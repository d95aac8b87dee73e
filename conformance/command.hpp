// `essl conformance [--peer openssl|gnutls|botan|erlang] [--filter SUBSTR] [--json] [--full] [--jobs N]`
#pragma once
#include <string>
#include <vector>

namespace essl::conformance {

// Runs the suite; returns the exit status (0: every cell as expected, 1: an unexpected cell, 2: usage).
int run_command(const std::vector<std::string>& args);

}  // namespace essl::conformance

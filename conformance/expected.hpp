// expected.txt: the one list of cells allowed to fail, each with its reason.
#pragma once
#include <string>
#include <vector>

namespace essl::conformance {

struct ExpectedFailure {
  std::string pattern;  // a glob over case ids ('*' also matches '/')
  std::string reason;
};

// Lines "<glob> <reason ...>"; '#' starts a comment line. `error` is set when the file cannot be read
// or a line has no reason.
std::vector<ExpectedFailure> load_expected(const std::string& path, std::string& error);
// The entry matching `id`, or nullptr.
const ExpectedFailure* find_expected(const std::vector<ExpectedFailure>& list, const std::string& id);

}  // namespace essl::conformance

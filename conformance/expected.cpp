#include "conformance/expected.hpp"

#include <fnmatch.h>

#include <fstream>

namespace essl::conformance {

std::vector<ExpectedFailure> load_expected(const std::string& path, std::string& error) {
  std::vector<ExpectedFailure> out;
  std::ifstream f(path);
  if (!f) {
    error = "cannot read " + path;
    return out;
  }
  size_t n = 0;
  for (std::string line; std::getline(f, line);) {
    ++n;
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t end = line.find_first_of(" \t", start);
    size_t why = end == std::string::npos ? end : line.find_first_not_of(" \t", end);
    if (why == std::string::npos) {
      error = path + ":" + std::to_string(n) + ": an entry needs a reason";
      continue;
    }
    out.push_back({line.substr(start, end - start), line.substr(why)});
  }
  return out;
}

const ExpectedFailure* find_expected(const std::vector<ExpectedFailure>& list, const std::string& id) {
  for (const auto& e : list)
    if (::fnmatch(e.pattern.c_str(), id.c_str(), 0) == 0) return &e;
  return nullptr;
}

}  // namespace essl::conformance

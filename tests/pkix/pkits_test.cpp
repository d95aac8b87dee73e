// NIST PKITS 1.0.1 through pkix::validate: the trust anchor trusted, CRL checking on with the CRLs each
// test lists, validation time 2020-01-01, and the test's RFC 5280 6.1.1 policy inputs. Every result must
// agree with the suite's, and for valid paths the user-constrained policy set must be the one the test
// states. Tests listed in pkits_skips.txt (number and reason) are skipped and counted.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pkix/validate.hpp"

namespace {

std::string env_or_die(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v) {
    std::cerr << "pkits: " << name << " is not set (meson test sets it)\n";
    std::exit(2);
  }
  return v;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "pkits: cannot read " << path << "\n";
    std::exit(2);
  }
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// "NIST-test-policy-3,anyPolicy" -> OIDs; an empty string is the empty set.
std::vector<std::string> policy_set(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    if (item.empty()) continue;
    if (item == "anyPolicy") out.push_back("2.5.29.32.0");
    else if (item.rfind("NIST-test-policy-", 0) == 0) out.push_back("2.16.840.1.101.3.2.1.48." + item.substr(17));
    else {
      std::cerr << "pkits: unknown policy name " << item << "\n";
      std::exit(2);
    }
  }
  return out;
}

std::map<std::string, std::string> read_skips(const std::string& path) {
  std::map<std::string, std::string> skips;
  std::ifstream f(path);
  if (!f) {
    std::cerr << "pkits: cannot read " << path << "\n";
    std::exit(2);
  }
  for (std::string line; std::getline(f, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto sp = line.find(' ');
    if (sp == std::string::npos) {
      std::cerr << "pkits: a skip needs a reason: " << line << "\n";
      std::exit(2);
    }
    skips[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return skips;
}

bool flag(const nlohmann::json& t, const char* key) { return t.contains(key) && t[key].get<std::string>() == "true"; }

}  // namespace

int main() {
  const std::string root = env_or_die("ESSL_CONFORMANCE_DATA") + "/nist-pkits/";
  const auto skips = read_skips(env_or_die("ESSL_SOURCE_ROOT") + "/tests/pkix/pkits_skips.txt");
  const bool verbose = std::getenv("PKITS_VERBOSE") != nullptr;
  std::ifstream in(root + "tests.json");
  if (!in) {
    std::cerr << "pkits: cannot read " << root << "tests.json\n";
    return 2;
  }
  const nlohmann::json tests = nlohmann::json::parse(in, nullptr, false);
  if (tests.is_discarded() || !tests.is_array()) {
    std::cerr << "pkits: tests.json is not a JSON array\n";
    return 2;
  }
  int passed = 0, failed = 0, skipped = 0;
  for (const auto& t : tests) {
    const std::string number = t.at("test_number").get<std::string>();
    const std::string title = t.at("title").get<std::string>();
    if (auto s = skips.find(number); s != skips.end()) {
      ++skipped;
      std::cout << "SKIP " << title << ": " << s->second << "\n";
      continue;
    }
    essl::pkix::Request req;
    std::vector<essl::Der> certs;
    for (const auto& name : t.at("certs_root_first"))
      certs.push_back(read_file(root + "certs/" + name.get<std::string>() + ".crt"));
    req.anchors = {certs.front()};
    req.chain.assign(certs.rbegin(), certs.rend() - 1);
    for (const auto& name : t.at("crls"))
      req.crls.push_back(read_file(root + "crls/" + name.get<std::string>() + ".crl"));
    req.crl_check = essl::CrlCheck::on;
    req.depth = 64;  // only the certificates' own pathLenConstraints limit these paths
    req.time = std::chrono::system_clock::time_point(std::chrono::seconds(1577836800));  // 2020-01-01
    if (t.contains("SetInitialPolicySet"))
      req.initial_policy_set = policy_set(t["SetInitialPolicySet"].get<std::string>());
    req.initial_explicit_policy = flag(t, "SetInitialExplicitPolicy");
    req.initial_policy_mapping_inhibit = flag(t, "SetInitialPolicyMappingInhibit");
    req.initial_any_policy_inhibit = flag(t, "SetInitialInhibitAnyPolicy");
    essl::pkix::Outcome outcome;
    req.outcome = &outcome;
    const auto r = essl::pkix::validate(req);
    const bool expected = t.at("should_validate").get<bool>();
    std::string problem;
    if (r.ok() != expected) {
      problem = expected ? "expected valid, got " + r.error().reason : "expected invalid, got valid";
    } else if (r.ok() && t.contains("SetUserConstrainedPolicySet")) {
      auto want = policy_set(t["SetUserConstrainedPolicySet"].get<std::string>());
      auto got = outcome.user_constrained_policy_set;
      std::sort(want.begin(), want.end());
      std::sort(got.begin(), got.end());
      if (want != got) {
        problem = "user-constrained policy set {";
        for (const auto& p : got) problem += " " + p;
        problem += " }, expected {";
        for (const auto& p : want) problem += " " + p;
        problem += " }";
      }
    }
    if (problem.empty()) {
      ++passed;
      if (verbose) std::cout << "pass " << title << (r.ok() ? "" : ": " + r.error().reason) << "\n";
    } else {
      ++failed;
      std::cout << "FAIL " << title << ": " << problem << "\n";
    }
  }
  std::cout << "pkits: " << passed << " passed, " << failed << " failed, " << skipped << " skipped\n";
  return failed == 0 && passed + skipped == int(tests.size()) ? 0 : 1;
}

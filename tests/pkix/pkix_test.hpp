// Shared helpers of the path validation tests: the test PKI of tests/data/pkix and a recording verify fun.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "pkix/validate.hpp"

namespace pkix_test {

inline std::string source_root() {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  if (!root || !*root) {
    ADD_FAILURE() << "ESSL_SOURCE_ROOT is not set (meson test sets it)";
    return ".";
  }
  return root;
}

inline essl::Der read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) ADD_FAILURE() << "cannot read " << path;
  return essl::Der((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// tests/data/pkix/<name>.der
inline essl::Der cert(const std::string& name) {
  return read_file(source_root() + "/tests/data/pkix/" + name + ".der");
}

// NIST PKITS files from the conformance data.
inline std::string pkits_root() {
  const char* d = std::getenv("ESSL_CONFORMANCE_DATA");
  if (!d || !*d) {
    ADD_FAILURE() << "ESSL_CONFORMANCE_DATA is not set (meson test sets it)";
    return ".";
  }
  return std::string(d) + "/nist-pkits/";
}
inline essl::Der pkits_cert(const std::string& name) { return read_file(pkits_root() + "certs/" + name + ".crt"); }
inline essl::Der pkits_crl(const std::string& name) { return read_file(pkits_root() + "crls/" + name + ".crl"); }

inline std::string event_text(const essl::VerifyEvent& ev) {
  static const std::map<std::string, std::string> names = {
      {"2.5.29.14", "SKI"}, {"2.5.29.35", "AKI"}, {"2.5.29.17", "SAN"}, {"2.5.29.31", "CRLDP"}};
  if (const auto* b = std::get_if<essl::BadCert>(&ev)) return b->text();
  if (const auto* e = std::get_if<essl::ExtensionEvent>(&ev)) {
    auto it = names.find(e->oid);
    return "{extension," + (it == names.end() ? e->oid : it->second) + "}";
  }
  if (std::holds_alternative<essl::Valid>(ev)) return "valid";
  return "valid_peer";
}

// Records every call as text and which certificate it was about; answers like the verify_none default
// unless `answer` says otherwise.
struct Recorder {
  std::vector<std::string> trace;
  std::vector<essl::Der> certs;
  std::function<essl::VerifyResult(const essl::VerifyEvent&)> answer;

  essl::VerifyFun fun() {
    return {[this](std::span<const uint8_t> der, const essl::VerifyEvent& ev, std::any&) {
              trace.push_back(event_text(ev));
              certs.emplace_back(der.begin(), der.end());
              if (answer) return answer(ev);
              if (const auto* e = std::get_if<essl::ExtensionEvent>(&ev))
                return e->critical ? essl::VerifyResult::valid() : essl::VerifyResult::unknown();
              return essl::VerifyResult::valid();
            },
            std::any{}};
  }
};

inline std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

}  // namespace pkix_test

// What the peer adapters share: names, paths, temporary directories, alert spotting.
#include "conformance/peer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#ifndef ESSL_SOURCE_ROOT_DEFAULT
#define ESSL_SOURCE_ROOT_DEFAULT "."
#endif

namespace essl::conformance {

std::string_view peer_name(PeerId p) {
  switch (p) {
    case PeerId::openssl: return "openssl";
    case PeerId::gnutls: return "gnutls";
    case PeerId::botan: return "botan";
    case PeerId::erlang: return "erlang";
    case PeerId::essl: return "essl";
    case PeerId::local: return "local";
  }
  return "?";
}

std::optional<PeerId> peer_from_name(std::string_view s) {
  for (PeerId p : {PeerId::openssl, PeerId::gnutls, PeerId::botan, PeerId::erlang, PeerId::essl, PeerId::local})
    if (peer_name(p) == s) return p;
  return std::nullopt;
}

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "FAIL";
    case Outcome::unsupported: return "not supported by peer";
    case Outcome::expected: return "expected failure";
    case Outcome::xpass: return "pass (listed as expected failure)";
  }
  return "?";
}

std::string source_root() {
  const char* env = std::getenv("ESSL_SOURCE_ROOT");
  return env && *env ? env : ESSL_SOURCE_ROOT_DEFAULT;
}

std::string pki(std::string_view file) { return source_root() + "/tests/data/" + std::string(file); }

std::string conformance_data() {
  const char* env = std::getenv("ESSL_CONFORMANCE_DATA");
  return env && *env ? env : source_root() + "/../shared/conformance-data";
}

std::string version_list(const std::vector<Version>& vs) {
  std::string out;
  for (Version v : vs) out += (out.empty() ? "" : ",") + std::string(version_atom(v));
  return out;
}

bool has_version(const std::vector<Version>& vs, Version v) { return std::find(vs.begin(), vs.end(), v) != vs.end(); }

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "essl-conformance-XXXXXX").string();
  if (::mkdtemp(tmpl.data())) dir_ = tmpl;
  else dir_ = std::filesystem::temp_directory_path().string();
}

TempDir::~TempDir() {
  std::error_code ec;
  if (dir_.find("essl-conformance-") != std::string::npos) std::filesystem::remove_all(dir_, ec);
}

std::string probe_line(const Case& c, size_t n, std::string_view who) {
  std::string line = std::string(who) + " says hello on connection " + std::to_string(n) + " of ";
  for (char ch : c.id) line += ch == '/' ? ' ' : ch;
  return line + "\n";
}

// Peers spell alerts in their own ways ("tlsv1 alert unknown ca", "Unknown CA", "unknown_ca",
// "[48]"); compare lower-case text with '_' and '-' read as spaces, plus the numeric form.
bool Peer::reports_alert(const std::string& log, AlertDescription d) const {
  std::string text;
  text.reserve(log.size());
  for (char ch : log) text += (ch == '_' || ch == '-') ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (text.find(std::string(alert_text(d))) != std::string::npos) return true;
  std::string atom(alert_atom(d));
  std::replace(atom.begin(), atom.end(), '_', ' ');
  if (text.find(atom) != std::string::npos) return true;
  return text.find("[" + std::to_string(static_cast<int>(d)) + "]") != std::string::npos;
}

std::unique_ptr<Peer> make_peer(PeerId id) {
  switch (id) {
    case PeerId::openssl: return make_openssl_peer();
    case PeerId::gnutls: return make_gnutls_peer();
    case PeerId::botan: return make_botan_peer();
    case PeerId::erlang: return make_erlang_peer();
    case PeerId::essl: return make_essl_peer();
    case PeerId::local: return nullptr;
  }
  return nullptr;
}

}  // namespace essl::conformance

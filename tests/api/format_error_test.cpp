// format_error: a readable, specific text for every error essl returns, as ssl:format_error/1 gives.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

// Every Error::other("...") the library's sources return (the part before ": " for the reasons that follow
// a prefix, such as "crl: ...").
std::set<std::string> atoms_in_sources() {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  std::set<std::string> atoms;
  for (const char* dir : {"api", "statemachine", "crl_cache", "pkix", "codecs", "crypto_glue", "include", "dist"}) {
    const auto path = std::filesystem::path(root ? root : ".") / dir;
    if (!std::filesystem::exists(path)) continue;
    for (const auto& f : std::filesystem::recursive_directory_iterator(path)) {
      const auto ext = f.path().extension();
      if (ext != ".cpp" && ext != ".hpp") continue;
      std::stringstream text;
      text << std::ifstream(f.path()).rdbuf();
      const std::string s = text.str();
      // Error::other("atom": the text up to the closing quote (plain search: <regex> trips GCC 12's
      // -Wmaybe-uninitialized under the sanitizers).
      const std::string_view call = "Error::other(\"";
      for (size_t at = s.find(call); at != std::string::npos; at = s.find(call, at + 1)) {
        const size_t begin = at + call.size();
        const size_t end = s.find('"', begin);
        if (end != std::string::npos) atoms.insert(s.substr(begin, end - begin));
      }
    }
  }
  return atoms;
}

TEST(FormatErrorAll, EveryAtomTheLibraryReturnsHasItsOwnText) {
  const auto atoms = atoms_in_sources();
  ASSERT_GE(atoms.size(), 10u) << "sources not found: set ESSL_SOURCE_ROOT";
  std::set<std::string> texts;
  for (const auto& atom : atoms) {
    // A prefix ("crl: ", "bad_session: ") is followed by its reason.
    const std::string detail = atom.ends_with(": ") ? atom + "some reason" : atom;
    const std::string text = format_error(Error::other(detail));
    EXPECT_FALSE(text.starts_with("Unexpected error")) << "no text for " << atom << ": " << text;
    EXPECT_TRUE(texts.insert(text).second) << "the same text twice: " << text;
    if (auto colon = detail.find(": "); colon != std::string::npos)
      EXPECT_TRUE(text.ends_with(detail.substr(colon + 2))) << "the reason follows: " << text;
    else
      EXPECT_NE(text.find(atom), std::string::npos) << "the atom itself is named: " << text;
  }
  EXPECT_EQ(format_error(Error::other("undefined")), "Undefined for this connection (SSL 3.0 has no PRF) (undefined)");
  EXPECT_EQ(format_error(Error::other("crl: no CRL for http://ca/crl")), "CRL error: no CRL for http://ca/crl");
  // What only a user's callback can return is still shown.
  EXPECT_EQ(format_error(Error::other("my_transport_failed")), "Unexpected error: my_transport_failed");
  EXPECT_EQ(format_error(Error::other("")), "Unexpected error");
}

TEST(FormatErrorAll, EveryKind) {
  EXPECT_EQ(format_error(Error::closed()), "TLS connection is closed");
  EXPECT_EQ(format_error(Error::timeout()), "Timeout");
  EXPECT_EQ(format_error(Error::options("depth", "must be 0 or more, got -1")), "options error: depth: must be 0 or more, got -1");
  EXPECT_EQ(format_error(Error::options("", "")), "options error: unknown option");
  EXPECT_EQ(format_error(Error::transport("recv: Connection reset by peer")), "transport error: recv: Connection reset by peer");
  EXPECT_EQ(format_error(Error::transport("")), "transport error");
}

TEST(FormatErrorAll, EveryAlertDescription) {
  std::set<std::string> texts;
  int known = 0;
  for (int v = 0; v < 256; ++v) {
    const auto d = AlertDescription(v);
    const std::string sent = format_error(Error::tls_alert(d, true, "certify"));
    const std::string received = format_error(Error::tls_alert(d, false));
    if (!alert_known(uint8_t(v))) {
      EXPECT_EQ(received, "TLS alert: unknown alert (sent by the peer)") << v;
      continue;
    }
    ++known;
    const std::string text(alert_text(d));
    EXPECT_NE(text, "unknown alert") << v;
    EXPECT_TRUE(texts.insert(text).second) << "the same text twice: " << text;
    EXPECT_EQ(sent, "TLS alert: " + text + " (sent by us in state certify)") << v;
    EXPECT_EQ(received, "TLS alert: " + text + " (sent by the peer)") << v;
  }
  EXPECT_EQ(known, 32);
}

}  // namespace
}  // namespace essl::test

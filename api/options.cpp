// validate(): type and range checks on Options, naming the first bad option as the spec's
// {options, {Name, Value}} does. Files and key material are checked when Config::make loads them.
#include <variant>

#include "essl/options.hpp"

namespace essl {
namespace {

bool known_version(Version v) {
  switch (v) {
    case Version::sslv3:
    case Version::tlsv1:
    case Version::tlsv1_1:
    case Version::tlsv1_2: return true;
  }
  return false;
}

}  // namespace

Result<void, Error> validate(const Options& o) {
  // An empty list means the default versions (options.hpp); each given one must be a protocol we know.
  for (Version v : o.versions) {
    if (!known_version(v)) return fail(Error::options("versions", "unknown version " + std::to_string(static_cast<unsigned>(v))));
  }
  if (const auto* list = std::get_if<std::vector<SuiteSpec>>(&o.ciphers)) {
    if (list->empty()) return fail(Error::options("ciphers", "no cipher suites given"));
    for (const auto& s : *list) {
      if (!find_suite(s)) {
        return fail(Error::options("ciphers", "unsupported suite {" + std::string(atom(s.key_exchange)) + ", " +
                                                  std::string(atom(s.cipher)) + ", " + std::string(atom(s.mac)) + "}"));
      }
    }
  } else if (const auto* text = std::get_if<std::string>(&o.ciphers)) {
    if (text->empty()) return fail(Error::options("ciphers", "empty cipher string"));
  }
  if (o.depth < 0) return fail(Error::options("depth", "must be 0 or more, got " + std::to_string(o.depth)));
  if (o.alert_timeout < 0) {
    return fail(Error::options("alert_timeout", "must be 0 or more milliseconds, got " + std::to_string(o.alert_timeout)));
  }
  if (o.key && o.key->der.empty()) return fail(Error::options("key", "empty key"));
  if (o.verify == Verify::verify_peer && o.cacerts.empty() && o.cacertfile.empty()) {
    // As the spec's client does: verify_peer with no trusted certificates is {options, {cacertfile, ""}}.
    return fail(Error::options("cacertfile", "verify_peer needs cacertfile or cacerts"));
  }
  if (o.fail_if_no_peer_cert && o.verify != Verify::verify_peer) {
    return fail(Error::options("fail_if_no_peer_cert", "needs verify verify_peer"));
  }
  if (const auto* name = std::get_if<std::string>(&o.server_name_indication); name && name->empty()) {
    return fail(Error::options("server_name_indication", "empty host name"));
  }
  return {};
}

}  // namespace essl

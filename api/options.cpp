// validate(): type and range checks on Options, naming the first bad option as the spec's
// {options, {Name, Value}} does. Files and key material are checked when Config::make loads them.
#include <string>
#include <utility>
#include <variant>

#include "essl/options.hpp"
#include "statemachine/config.hpp"
#include "statemachine/hello_options.hpp"

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

// The credential options' shapes; their contents are checked when Config::make loads the files.
Result<void, Error> check_credentials(const Options& o) {
  const std::pair<const char*, const std::string*> paths[] = {
      {"certfile", &o.certfile}, {"keyfile", &o.keyfile}, {"cacertfile", &o.cacertfile}, {"dhfile", &o.dhfile}};
  for (const auto& [name, path] : paths) {
    if (path->find('\0') != std::string::npos) return fail(Error::options(name, "a path with a NUL byte"));
  }
  if (o.key) {
    switch (o.key->type) {
      case PrivateKeyDer::Type::RSAPrivateKey:
      case PrivateKeyDer::Type::DSAPrivateKey:
      case PrivateKeyDer::Type::ECPrivateKey:
      case PrivateKeyDer::Type::PrivateKeyInfo: break;
      default: return fail(Error::options("key", "unknown key type " + std::to_string(static_cast<int>(o.key->type))));
    }
    if (o.key->der.empty()) return fail(Error::options("key", "empty key"));
  }
  for (size_t i = 0; i < o.cacerts.size(); ++i) {
    if (o.cacerts[i].empty()) return fail(Error::options("cacerts", "certificate " + std::to_string(i + 1) + " is empty"));
  }
  return {};
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
      if (!find_suite(s)) return fail(Error::options("ciphers", "unsupported suite " + to_string(s)));
    }
  } else if (const auto* text = std::get_if<std::string>(&o.ciphers)) {
    if (text->empty()) return fail(Error::options("ciphers", "empty cipher string"));
    // An OpenSSL-format string (or ':'-separated Erlang-style names); unknown words are errors.
    if (auto parsed = parse_cipher_string(*text); !parsed) return fail(Error::options("ciphers", parsed.error()));
  }
  if (o.depth < 0) return fail(Error::options("depth", "must be 0 or more, got " + std::to_string(o.depth)));
  if (o.alert_timeout && *o.alert_timeout < 0) {
    return fail(Error::options("alert_timeout", "must be 0 or more milliseconds, got " + std::to_string(*o.alert_timeout)));
  }
  if (o.hibernate_after && *o.hibernate_after < 0) {
    return fail(Error::options("hibernate_after",
                               "must be 0 or more milliseconds, got " + std::to_string(*o.hibernate_after)));
  }
  if (o.eccs) {
    if (o.eccs->empty()) return fail(Error::options("eccs", "no curves given"));
    for (const auto& name : *o.eccs)
      if (name != "x25519" && name != "secp256r1" && name != "secp384r1" && name != "secp521r1")
        return fail(Error::options("eccs", "unsupported curve " + name));
  }
  if (auto r = check_credentials(o); !r) return r;
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
  // SNI (sni_hosts, sni_fun), ALPN and NPN: statemachine/hello_options.cpp, shared with Config::make.
  if (auto r = check_hello_options(o); !r) return r;
  if (auto r = check_kex_options(o); !r) return r;
  return {};
}

}  // namespace essl

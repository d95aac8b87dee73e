// Config::make: options resolved once, each failure naming its option.
#include "statemachine/config.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace essl {
namespace {

using Fail = Unexpected<Error>;

bool kex_implemented(KeyExchange k) {
  return k == KeyExchange::rsa || k == KeyExchange::dhe_rsa || k == KeyExchange::ecdhe_rsa ||
         k == KeyExchange::ecdhe_ecdsa;
}

// The reference's default: ECDHE, DHE and RSA key exchange, never null or RC4 ciphers unless asked.
bool in_default(const SuiteInfo& s) {
  return kex_implemented(s.spec.key_exchange) && s.spec.cipher != Cipher::null && s.spec.cipher != Cipher::rc4_128;
}

std::optional<codec::Bytes> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  return codec::Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

Result<std::vector<Version>, Error> resolve_versions(const Options& o) {
  std::vector<Version> v = o.versions;
  if (v.empty()) v = {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1};
  for (Version x : v)
    if (x < Version::sslv3 || x > Version::tlsv1_2) return fail(Error::options("versions", "unknown version"));
  std::sort(v.begin(), v.end(), std::greater<>());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

Result<std::vector<const SuiteInfo*>, Error> resolve_suites(const Options& o, Version highest) {
  std::vector<const SuiteInfo*> out;
  auto add = [&](const SuiteInfo* s) {
    if (s && kex_implemented(s->spec.key_exchange) && s->min_version <= highest &&
        std::find(out.begin(), out.end(), s) == out.end())
      out.push_back(s);
  };
  if (auto* list = std::get_if<std::vector<SuiteSpec>>(&o.ciphers)) {
    for (const SuiteSpec& spec : *list) {
      const SuiteInfo* s = find_suite(spec);
      if (!s) return fail(Error::options("ciphers", "unknown cipher suite"));
      add(s);
    }
  } else if (auto* str = std::get_if<std::string>(&o.ciphers)) {
    std::string_view rest = *str;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string_view name = rest.substr(0, colon);
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
      if (name.empty()) continue;
      const SuiteInfo* s = find_suite_by_name(name);
      if (!s) return fail(Error::options("ciphers", "unknown cipher suite " + std::string(name)));
      add(s);
    }
  } else {
    for (const SuiteInfo& s : all_suites())
      if (in_default(s)) add(&s);
  }
  if (out.empty()) return fail(Error::options("ciphers", "no cipher suite usable with the enabled versions"));
  return out;
}

Result<void, Error> load_own(Config& c, const Options& o) {
  if (!o.cert.empty()) {
    auto cert = crypto::Certificate::from_der(o.cert);
    if (!cert) return fail(Error::options("cert", cert.error()));
    c.chain.push_back(std::move(cert.value()));
  } else if (!o.certfile.empty()) {
    auto bytes = read_file(o.certfile);
    if (!bytes) return fail(Error::options("certfile", "cannot read " + o.certfile));
    auto chain = crypto::parse_certificates(*bytes);
    if (!chain || chain->empty()) return fail(Error::options("certfile", chain ? "no certificate" : chain.error()));
    c.chain = std::move(chain.value());
  }
  if (o.key) {
    auto key = crypto::PrivateKey::parse(o.key->der, o.password);
    if (!key) return fail(Error::options("key", key.error()));
    c.key = std::make_shared<crypto::PrivateKey>(std::move(key.value()));
  } else if (!o.keyfile.empty() || !o.certfile.empty()) {
    // keyfile defaults to certfile (a PEM file holding both).
    const std::string& path = o.keyfile.empty() ? o.certfile : o.keyfile;
    auto bytes = read_file(path);
    if (!bytes) return fail(Error::options("keyfile", "cannot read " + path));
    auto key = crypto::PrivateKey::parse(*bytes, o.password);
    if (!key) return fail(Error::options("keyfile", key.error()));
    c.key = std::make_shared<crypto::PrivateKey>(std::move(key.value()));
  }
  const char* key_name = o.key ? "key" : "keyfile";
  if (c.key && c.chain.empty()) return fail(Error::options("certfile", "a key without a certificate"));
  if (!c.key && !c.chain.empty()) return fail(Error::options(key_name, "no private key"));
  if (c.key && !c.key->matches(c.chain.front()))
    return fail(Error::options(key_name, "the key does not match the certificate"));
  if (c.role == Role::server && c.chain.empty()) return fail(Error::options("certfile", "a server needs a certificate"));
  return {};
}

Result<void, Error> load_trust(Config& c, const Options& o) {
  if (!o.cacerts.empty()) {
    for (const auto& der : o.cacerts) {
      auto cert = crypto::Certificate::from_der(der);
      if (!cert) return fail(Error::options("cacerts", cert.error()));
      c.trusted.push_back(std::move(cert.value()));
    }
  } else if (!o.cacertfile.empty()) {
    auto bytes = read_file(o.cacertfile);
    if (!bytes) return fail(Error::options("cacertfile", "cannot read " + o.cacertfile));
    auto certs = crypto::parse_certificates(*bytes);
    if (!certs) return fail(Error::options("cacertfile", certs.error()));
    c.trusted = std::move(certs.value());
  }
  if (o.verify == Verify::verify_peer && c.trusted.empty())
    return fail(Error::options("cacertfile", "verify_peer needs trusted certificates"));
  return {};
}

Result<void, Error> load_dh(Config& c, const Options& o) {
  if (!o.dh.empty()) {
    auto p = crypto::parse_dh_params(o.dh);
    if (!p) return fail(Error::options("dh", p.error()));
    c.dh = std::move(p.value());
  } else if (!o.dhfile.empty()) {
    auto bytes = read_file(o.dhfile);
    if (!bytes) return fail(Error::options("dhfile", "cannot read " + o.dhfile));
    auto p = crypto::parse_dh_params(*bytes);
    if (!p) return fail(Error::options("dhfile", p.error()));
    c.dh = std::move(p.value());
  } else {
    c.dh = crypto::default_dh_params();
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<const Config>, Error> Config::make(Role role, const Options& options,
                                                          std::shared_ptr<SessionCache> cache) {
  auto c = std::make_shared<Config>();
  c->role = role;
  c->options = options;
  if (options.depth < 0) return fail(Error::options("depth", "must be a non-negative integer"));
  if (options.alert_timeout < 0) return fail(Error::options("alert_timeout", "must be non-negative"));
  auto versions = resolve_versions(options);
  if (!versions) return fail(versions.error());
  c->versions = std::move(versions.value());
  auto suites = resolve_suites(options, c->versions.front());
  if (!suites) return fail(suites.error());
  c->suites = std::move(suites.value());
  if (auto r = load_own(*c, options); !r) return fail(r.error());
  if (auto r = load_trust(*c, options); !r) return fail(r.error());
  if (role == Role::server)
    if (auto r = load_dh(*c, options); !r) return fail(r.error());
  c->session_cache = cache ? std::move(cache) : std::make_shared<MemorySessionCache>();
  c->rng = &crypto::system_rng();
  return std::shared_ptr<const Config>(std::move(c));
}

}  // namespace essl

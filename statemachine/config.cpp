// Config::make: options resolved once, each failure naming its option.
#include "statemachine/config.hpp"

#include <algorithm>
#include <bit>

#include "codecs/extensions.hpp"
#include "statemachine/hello_options.hpp"
#include "statemachine/pem_cache.hpp"

namespace essl {
namespace {

using Fail = Unexpected<Error>;

Result<std::vector<Version>, Error> resolve_versions(const Options& o) {
  std::vector<Version> v = o.versions;
  if (v.empty()) v = {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1};
  for (Version x : v)
    if (x < Version::sslv3 || x > Version::tlsv1_2) return fail(Error::options("versions", "unknown version"));
  std::sort(v.begin(), v.end(), std::greater<>());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The option a suite needs and does not have: PSK suites need user_lookup_fun; SRP suites need
// srp_identity on a client and user_lookup_fun on a server.
const char* missing_credential(const SuiteInfo& s, Role role, const Options& o) {
  const KeyExchange k = s.spec.key_exchange;
  if (kex_psk(k) && !o.user_lookup_fun) return "user_lookup_fun";
  if (kex_srp(k) && role == Role::client && !o.srp_identity) return "srp_identity";
  if (kex_srp(k) && role == Role::server && !o.user_lookup_fun) return "user_lookup_fun";
  return nullptr;
}

// The suites a connection uses, in preference order: the configured ones (the default list when none
// are), less those whose key exchange the handshake does not implement, those no enabled version
// allows and those whose credentials are missing.
Result<std::vector<const SuiteInfo*>, Error> resolve_suites(Role role, const Options& o,
                                                            const std::vector<Version>& versions) {
  std::vector<const SuiteInfo*> listed;
  if (auto* list = std::get_if<std::vector<SuiteSpec>>(&o.ciphers)) {
    for (const SuiteSpec& spec : *list) {
      const SuiteInfo* s = find_suite(spec);
      if (!s) return fail(Error::options("ciphers", "unknown cipher suite " + to_string(spec)));
      listed.push_back(s);
    }
  } else if (auto* str = std::get_if<std::string>(&o.ciphers)) {
    auto parsed = parse_cipher_string(*str);
    if (!parsed) return fail(Error::options("ciphers", parsed.error()));
    listed = std::move(parsed.value());
  } else {
    for (const SuiteInfo& s : all_suites())
      if (s.in_default) listed.push_back(&s);
  }
  std::vector<const SuiteInfo*> out;
  const SuiteInfo* no_kex = nullptr;
  const SuiteInfo* no_cred = nullptr;
  const char* cred_option = nullptr;
  for (const SuiteInfo* s : listed) {
    if (!key_exchange_implemented(s->spec.key_exchange)) {
      if (!no_kex) no_kex = s;
      continue;
    }
    if (const char* missing = missing_credential(*s, role, o)) {
      if (!no_cred) no_cred = s, cred_option = missing;
      continue;
    }
    const bool versions_allow = std::any_of(versions.begin(), versions.end(),
                                            [&](Version v) { return suite_allowed_at(*s, v); });
    if (versions_allow && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  if (out.empty() && no_cred)
    return fail(Error::options(cred_option, std::string(no_cred->erlang) + " needs " + cred_option));
  if (out.empty() && no_kex)
    return fail(Error::options("ciphers", std::string(no_kex->erlang) + ": key exchange " +
                                              std::string(atom(no_kex->spec.key_exchange)) + " is not available"));
  if (out.empty()) return fail(Error::options("ciphers", "no cipher suite usable with the enabled versions"));
  return out;
}

// ---- credentials: cert/certfile, key/keyfile/password, cacerts/cacertfile, dh/dhfile ----

// A credential file through the PEM cache; a missing or unreadable file names the option and the path.
Result<pem_cache::Contents, Error> read_file(const char* option, const std::string& path) {
  auto r = pem_cache::read(path);
  if (!r) return fail(Error::options(option, path + ": " + r.error()));
  return r.value();
}

crypto::KeyFormat key_format(PrivateKeyDer::Type t) {
  switch (t) {
    case PrivateKeyDer::Type::RSAPrivateKey: return crypto::KeyFormat::rsa_pkcs1;
    case PrivateKeyDer::Type::DSAPrivateKey: return crypto::KeyFormat::dsa_openssl;
    case PrivateKeyDer::Type::ECPrivateKey: return crypto::KeyFormat::ec_sec1;
    case PrivateKeyDer::Type::PrivateKeyInfo: return crypto::KeyFormat::pkcs8;
  }
  return crypto::KeyFormat::any;
}

Result<void, Error> load_own(Config& c, const Options& o) {
  if (!o.cert.empty()) {
    // One DER certificate, or a chain of them back to back (leaf first).
    auto chain = crypto::parse_certificates(o.cert);
    if (!chain) return fail(Error::options("cert", chain.error()));
    c.chain = std::move(chain.value());
  } else if (!o.certfile.empty()) {
    auto bytes = read_file("certfile", o.certfile);
    if (!bytes) return fail(bytes.error());
    auto chain = crypto::parse_certificates(**bytes);
    if (!chain) return fail(Error::options("certfile", o.certfile + ": " + chain.error()));
    c.chain = std::move(chain.value());
  }
  if (o.key) {
    auto key = crypto::load_private_key(o.key->der, "", key_format(o.key->type));
    if (!key) return fail(Error::options("key", key.error().text));
    c.key = std::make_shared<crypto::PrivateKey>(std::move(key.value()));
  } else if (!o.keyfile.empty() || !o.certfile.empty()) {
    // keyfile defaults to certfile (a PEM file holding both).
    const std::string& path = o.keyfile.empty() ? o.certfile : o.keyfile;
    auto bytes = read_file("keyfile", path);
    if (!bytes) return fail(bytes.error());
    auto key = crypto::load_private_key(**bytes, o.password);
    if (!key && key.error().reason == crypto::KeyError::Reason::wrong_password)
      return fail(Error::options("keyfile", "wrong password for " + path));
    if (!key) return fail(Error::options("keyfile", path + ": " + key.error().text));
    c.key = std::make_shared<crypto::PrivateKey>(std::move(key.value()));
  }
  const char* key_name = o.key ? "key" : "keyfile";
  if (c.key && c.chain.empty()) return fail(Error::options("certfile", "a key without a certificate"));
  if (!c.key && !c.chain.empty()) return fail(Error::options(key_name, "no private key"));
  // DSA keys are accepted: the DSS suites sign with them.
  if (c.key && !c.key->matches(c.chain.front()))
    return fail(Error::options(key_name, "the key does not match the certificate"));
  // A server without a certificate can serve only the key exchanges that use none.
  if (c.role == Role::server && c.chain.empty() &&
      std::none_of(c.suites.begin(), c.suites.end(), [](const SuiteInfo* s) { return kex_no_server_cert(s->spec.key_exchange); }))
    return fail(Error::options("certfile", "a server needs a certificate"));
  return {};
}

Result<void, Error> load_trust(Config& c, const Options& o) {
  if (!o.cacerts.empty()) {
    for (size_t i = 0; i < o.cacerts.size(); ++i) {
      auto certs = crypto::parse_certificates(o.cacerts[i]);
      if (!certs) return fail(Error::options("cacerts", "certificate " + std::to_string(i + 1) + ": " + certs.error()));
      for (auto& cert : certs.value()) c.trusted.push_back(std::move(cert));
    }
  } else if (!o.cacertfile.empty()) {
    auto bytes = read_file("cacertfile", o.cacertfile);
    if (!bytes) return fail(bytes.error());
    auto certs = crypto::parse_certificates(**bytes);
    if (!certs) return fail(Error::options("cacertfile", o.cacertfile + ": " + certs.error()));
    c.trusted = std::move(certs.value());
  }
  if (o.verify == Verify::verify_peer && c.trusted.empty())
    return fail(Error::options("cacertfile", "verify_peer needs trusted certificates"));
  auto views = std::make_shared<std::vector<x509::CertView>>();
  for (const crypto::Certificate& t : c.trusted) {
    c.trusted_der.push_back(t.der());
    if (auto v = x509::parse_certificate(t.der())) views->push_back(std::move(v.value()));  // others are ignored
  }
  c.trusted_views = std::move(views);
  return {};
}

// Groups below 1024 bits are broken in practice (Logjam); above 8192 bits each handshake would cost
// seconds.
constexpr size_t min_dh_bits = 1024;
constexpr size_t max_dh_bits = 8192;

Result<crypto::DhParams, std::string> checked_dh(codec::ByteView bytes) {
  auto p = crypto::parse_dh_params(bytes);
  if (!p) return fail(p.error());
  const codec::Bytes& prime = p->p;
  const size_t bits = prime.empty() ? 0 : (prime.size() - 1) * 8 + static_cast<size_t>(std::bit_width(prime[0]));
  if (bits < min_dh_bits)
    return fail("weak DH group: " + std::to_string(bits) + " bits (at least " + std::to_string(min_dh_bits) + ")");
  if (bits > max_dh_bits)
    return fail("DH group too large: " + std::to_string(bits) + " bits (at most " + std::to_string(max_dh_bits) + ")");
  return p;
}

Result<void, Error> load_dh(Config& c, const Options& o) {
  if (!o.dh.empty()) {
    auto p = checked_dh(o.dh);
    if (!p) return fail(Error::options("dh", p.error()));
    c.dh = std::move(p.value());
  } else if (!o.dhfile.empty()) {
    auto bytes = read_file("dhfile", o.dhfile);
    if (!bytes) return fail(bytes.error());
    auto p = checked_dh(**bytes);
    if (!p) return fail(Error::options("dhfile", o.dhfile + ": " + p.error()));
    c.dh = std::move(p.value());
  } else {
    c.dh = crypto::default_dh_params();
  }
  return {};
}

}  // namespace

Result<void, Error> check_kex_options(const Options& o) {
  if (o.user_lookup_fun && !o.user_lookup_fun->fun)
    return fail(Error::options("user_lookup_fun", "not a function"));
  // RFC 4279 2: opaque psk_identity<0..2^16-1> (and the hint likewise); the spec's option is a
  // non-empty string.
  if (o.psk_identity && (o.psk_identity->empty() || o.psk_identity->size() > 0xffff))
    return fail(Error::options("psk_identity", "must be 1..65535 bytes"));
  //= https://www.rfc-editor.org/rfc/rfc5054#section-2.8.1
  //# opaque srp_I<1..2^8-1>;
  if (o.srp_identity && (o.srp_identity->first.empty() || o.srp_identity->first.size() > 0xff))
    return fail(Error::options("srp_identity", "the user name must be 1..255 bytes"));
  return {};
}

namespace {

std::string make_verify_fingerprint(const Config& cfg) {
  const Options& o = cfg.options;
  std::string f = o.verify == Verify::verify_peer ? "verify_peer" : "verify_none";
  f += ";depth=" + std::to_string(o.depth);
  f += o.fail_if_no_peer_cert ? ";fail_if_no_peer_cert" : "";
  // User funs are told apart by their type: a session made under one fun is not resumed under another.
  if (o.verify_fun) f += std::string(";verify_fun=") + o.verify_fun->fun.target_type().name();
  if (o.partial_chain) f += std::string(";partial_chain=") + o.partial_chain.target_type().name();
  f += ";crl_check=" + std::to_string(int(o.crl_check));
  if (o.server_name_indication.index() != 0) {
    const auto* name = std::get_if<std::string>(&o.server_name_indication);
    f += ";sni=" + (name ? *name : std::string("disable"));
  }
  static constexpr char hex[] = "0123456789abcdef";
  auto add_hash = [&](const char* name, const codec::Bytes& data) {
    f += name;
    for (uint8_t b : crypto::hash(Hash::sha256, data)) {
      f += hex[b >> 4];
      f += hex[b & 15];
    }
  };
  codec::Bytes all;
  for (const codec::Bytes& t : cfg.trusted_der) all.insert(all.end(), t.begin(), t.end());
  add_hash(";trusted=", all);
  // The identity we authenticated with: a session made under another certificate is not resumed (the
  // peer would see, or have verified, a certificate we no longer present).
  if (!cfg.chain.empty()) add_hash(";own=", cfg.chain.front().der());
  return f;
}

}  // namespace

Result<std::shared_ptr<const Config>, Error> Config::make(Role role, const Options& options,
                                                          std::shared_ptr<SessionStore> cache) {
  auto c = std::make_shared<Config>();
  c->role = role;
  c->options = options;
  if (options.depth < 0) return fail(Error::options("depth", "must be a non-negative integer"));
  if (options.alert_timeout && *options.alert_timeout < 0) return fail(Error::options("alert_timeout", "must be non-negative"));
  auto versions = resolve_versions(options);
  if (!versions) return fail(versions.error());
  c->versions = std::move(versions.value());
  if (auto r = check_kex_options(options); !r) return fail(r.error());
  auto suites = resolve_suites(role, options, c->versions);
  if (!suites) return fail(suites.error());
  c->suites = std::move(suites.value());
  if (auto r = load_own(*c, options); !r) return fail(r.error());
  if (auto r = load_trust(*c, options); !r) return fail(r.error());
  if (role == Role::server)
    if (auto r = load_dh(*c, options); !r) return fail(r.error());
  if (options.eccs) {
    if (options.eccs->empty()) return fail(Error::options("eccs", "no curves given"));
    for (const auto& name : *options.eccs) {
      const uint16_t g = name == "x25519"      ? uint16_t(codec::NamedGroup::x25519)
                         : name == "secp256r1" ? uint16_t(codec::NamedGroup::secp256r1)
                         : name == "secp384r1" ? uint16_t(codec::NamedGroup::secp384r1)
                         : name == "secp521r1" ? uint16_t(codec::NamedGroup::secp521r1)
                                               : 0;
      if (g == 0) return fail(Error::options("eccs", "unsupported curve " + name));
      if (crypto::group_supported(g) && std::find(c->groups.begin(), c->groups.end(), g) == c->groups.end())
        c->groups.push_back(g);
    }
    if (c->groups.empty()) return fail(Error::options("eccs", "none of the curves is supported"));
  }
  c->verify_fingerprint = make_verify_fingerprint(*c);
  c->session_cache = cache ? std::move(cache) : SessionStore::memory(role);
  c->rng = &crypto::system_rng();
  if (auto r = check_hello_options(options); !r) return fail(r.error());
  if (role == Role::server) {
    auto sni = SniConfigs::make(*c);
    if (!sni) return fail(sni.error());
    c->sni = std::move(sni).value();
  }
  return std::shared_ptr<const Config>(std::move(c));
}

}  // namespace essl

// Parsing `--name value` and `--flag` arguments into Options.
#include "tools/cli_args.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/srp.hpp"

namespace essl::cli {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

Result<void, Error> parse_int(const std::string& name, const std::string& v, long min, long max, long& out) {
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < min || out > max) {
    return fail(Error::options(name, "not an integer in " + std::to_string(min) + ".." + std::to_string(max) + ": " + v));
  }
  return {};
}

Result<void, Error> parse_bool(const std::string& name, const std::string& v, bool& out) {
  if (v == "true") out = true;
  else if (v == "false") out = false;
  else return fail(Error::options(name, "expected true or false, got " + v));
  return {};
}

// Erlang-style or OpenSSL suite names separated by commas become a suite list (the spec's list form);
// anything else is passed on as an OpenSSL cipher string ("ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA",
// "DEFAULT:!DES:+3DES", "ALL:@STRENGTH" ...), which validate() checks.
void parse_ciphers(const std::string& v, Options& o) {
  std::vector<SuiteSpec> specs;
  for (const auto& name : split(v, ',')) {
    const SuiteInfo* s = find_suite_by_name(name);
    if (!s) {
      o.ciphers = v;
      return;
    }
    specs.push_back(s->spec);
  }
  o.ciphers = specs;
}

// partial_chain from a file of CA certificates: the first certificate of the received chain (root
// first) that is one of them becomes the trust anchor.
Result<void, Error> parse_partial_chain(const std::string& name, const std::string& path, Options& o) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return fail(Error::options(name, path + ": cannot read"));
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto certs = crypto::parse_certificates(bytes);
  if (!certs) return fail(Error::options(name, path + ": " + certs.error()));
  std::vector<Der> trusted;
  for (const auto& c : *certs) trusted.push_back(c.der());
  o.partial_chain = [trusted](const std::vector<Der>& chain_root_first) -> std::optional<Der> {
    for (const Der& c : chain_root_first)
      if (std::find(trusted.begin(), trusted.end(), c) != trusted.end()) return c;
    return std::nullopt;
  };
  return {};
}

// An even number of hex digits, at least one byte.
Result<std::vector<uint8_t>, Error> parse_hex(const std::string& name, const std::string& v) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::vector<uint8_t> out;
  if (v.empty() || v.size() % 2 != 0) return fail(Error::options(name, "expected an even number of hex digits"));
  for (size_t i = 0; i < v.size(); i += 2) {
    const int hi = nibble(v[i]), lo = nibble(v[i + 1]);
    if (hi < 0 || lo < 0) return fail(Error::options(name, "not a hex digit in " + v));
    out.push_back(uint8_t(hi << 4 | lo));
  }
  return out;
}

// The user_lookup_fun that the key options make: the PSK for any identity; the SRP verifier data
// (a random salt, DerivedKey = SHA-1(Salt | SHA-1(User | ":" | Password))) for the one user.
void make_lookup_fun(Args& a) {
  if (!a.psk_key && !a.srp_user) return;
  std::optional<SrpLookup> srp;
  if (a.srp_user) {
    std::vector<uint8_t> salt(16);
    crypto::system_rng().fill(salt);
    const codec::Bytes x = crypto::srp_derived_key(a.srp_user->first, a.srp_user->second, salt);
    srp = SrpLookup{SrpParam::srp_2048, salt, std::vector<uint8_t>(x.begin(), x.end())};
  }
  a.tls.user_lookup_fun = UserLookupFun{
      [key = a.psk_key, srp, user = a.srp_user ? a.srp_user->first : std::string()](
          LookupKind kind, const std::optional<std::string>& id, const std::any&) {
        if (kind == LookupKind::psk && key) return LookupResult{*key};
        if (kind == LookupKind::srp && srp && id == user) return LookupResult{*srp};
        return LookupResult{LookupError{}};
      },
      {}};
}

using Setter = std::function<Result<void, Error>(const std::string& name, const std::string& value, Args&)>;

const std::map<std::string, Setter>& valued() {
  static const std::map<std::string, Setter> m = {
      {"host", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.host = v; return {}; }},
      {"port", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long p = 0;
         if (auto r = parse_int(n, v, 0, 65535, p); !r) return r;
         a.port = static_cast<uint16_t>(p);
         return {};
       }},
      {"ip", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.sock.ip = v; return {}; }},
      {"certfile", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.tls.certfile = v; return {}; }},
      {"keyfile", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.tls.keyfile = v; return {}; }},
      {"password", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.tls.password = v; return {}; }},
      {"cacertfile", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.tls.cacertfile = v; return {}; }},
      {"dhfile", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.tls.dhfile = v; return {}; }},
      {"versions", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         a.tls.versions.clear();
         for (const auto& atom : split(v, ',')) {
           auto ver = version_from_atom(atom);
           if (!ver) return fail(Error::options(n, "unknown version '" + atom + "'"));
           a.tls.versions.push_back(*ver);
         }
         return {};
       }},
      {"ciphers", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         if (v.empty()) return fail(Error::options(n, "empty cipher list"));
         parse_ciphers(v, a.tls);
         return {};
       }},
      {"verify", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         if (v == "verify_peer") a.tls.verify = Verify::verify_peer;
         else if (v == "verify_none") a.tls.verify = Verify::verify_none;
         else return fail(Error::options(n, "expected verify_peer or verify_none, got " + v));
         return {};
       }},
      {"depth", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long d = 0;
         if (auto r = parse_int(n, v, 0, 100, d); !r) return r;
         a.tls.depth = static_cast<int>(d);
         return {};
       }},
      {"crl-check", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         if (v == "true") a.tls.crl_check = CrlCheck::on;
         else if (v == "false") a.tls.crl_check = CrlCheck::off;
         else if (v == "peer") a.tls.crl_check = CrlCheck::peer;
         else if (v == "best_effort") a.tls.crl_check = CrlCheck::best_effort;
         else return fail(Error::options(n, "expected true, false, peer or best_effort, got " + v));
         return {};
       }},
      // Repeatable: CRL files (PEM or DER) put in the internal CRL cache before connecting.
      {"crlfile", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.crlfiles.push_back(v); return {}; }},
      // The internal CRL cache fetching http:// distribution points, each fetch bounded by MS.
      {"crl-http", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long t = 0;
         if (auto r = parse_int(n, v, 1, 3600000, t); !r) return r;
         a.tls.crl_cache = ssl_crl_cache::internal(std::chrono::milliseconds(t));
         return {};
       }},
      {"partial-chain", [](auto& n, auto& v, Args& a) { return parse_partial_chain(n, v, a.tls); }},
      {"eccs", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         if (v.empty()) return fail(Error::options(n, "no curves given"));
         a.tls.eccs = split(v, ',');
         return {};
       }},
      {"hibernate-after", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long t = 0;
         if (auto r = parse_int(n, v, 0, 86400000, t); !r) return r;
         a.tls.hibernate_after = static_cast<int>(t);
         return {};
       }},
      {"alert-timeout", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long t = 0;
         if (auto r = parse_int(n, v, 0, 3600000, t); !r) return r;
         a.tls.alert_timeout = static_cast<int>(t);
         return {};
       }},
      {"timeout", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long t = 0;
         if (auto r = parse_int(n, v, 0, 3600000, t); !r) return r;
         a.timeout = std::chrono::milliseconds(t);
         return {};
       }},
      // server --concurrent: open descriptors at most.
      {"max-connections", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long m = 0;
         if (auto r = parse_int(n, v, 1, 10000000, m); !r) return r;
         a.max_connections = static_cast<size_t>(m);
         return {};
       }},
      // server --concurrent: event loops (threads) sharing the port (SO_REUSEPORT).
      {"threads", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long t = 0;
         if (auto r = parse_int(n, v, 1, 256, t); !r) return r;
         a.threads = static_cast<size_t>(t);
         return {};
       }},
      {"linger", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         long t = 0;
         if (auto r = parse_int(n, v, 0, 3600000, t); !r) return r;
         a.linger = std::chrono::milliseconds(t);
         return {};
       }},
      {"reuse-sessions", [](auto& n, auto& v, Args& a) { return parse_bool(n, v, a.tls.reuse_sessions); }},
      {"secure-renegotiate", [](auto& n, auto& v, Args& a) { return parse_bool(n, v, a.tls.secure_renegotiate); }},
      {"sni", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.tls.server_name_indication = v; return {}; }},
      // One list for either role: a client offers it, a server prefers in its order.
      {"alpn", [](auto&, auto& v, Args& a) -> Result<void, Error> {
         a.tls.alpn_advertised_protocols = split(v, ',');
         a.tls.alpn_preferred_protocols = split(v, ',');
         return {};
       }},
      // A client prefers these (client precedence, falling back to the first); a server advertises them.
      {"npn", [](auto&, auto& v, Args& a) -> Result<void, Error> {
         NextProtocolPreference p;
         p.protocols = split(v, ',');
         a.tls.client_preferred_next_protocols = p;
         a.tls.next_protocols_advertised = p.protocols;
         return {};
       }},
      // Client: the identity presented; server: the identity hint.
      {"psk-identity", [](auto&, auto& v, Args& a) -> Result<void, Error> { a.tls.psk_identity = v; return {}; }},
      {"psk-key", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         auto key = parse_hex(n, v);
         if (!key) return fail(key.error());
         a.psk_key = std::move(key.value());
         return {};
       }},
      // Client: USER:PASSWORD for the SRP suites (the password may hold ':').
      {"srp-identity", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         const size_t colon = v.find(':');
         if (colon == std::string::npos || colon == 0) return fail(Error::options(n, "expected USER:PASSWORD"));
         a.tls.srp_identity = std::make_pair(v.substr(0, colon), v.substr(colon + 1));
         return {};
       }},
      {"srp-user", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         const size_t colon = v.find(':');
         if (colon == std::string::npos || colon == 0) return fail(Error::options(n, "expected USER:PASSWORD"));
         a.srp_user = std::make_pair(v.substr(0, colon), v.substr(colon + 1));
         return {};
       }},
      // NAME:CERTFILE:KEYFILE, repeatable: the certificate a server presents to clients asking for NAME.
      {"sni-host", [](auto& n, auto& v, Args& a) -> Result<void, Error> {
         auto parts = split(v, ':');
         if (parts.size() != 3 || parts[0].empty() || parts[1].empty())
           return fail(Error::options(n, "expected NAME:CERTFILE:KEYFILE, got " + v));
         SniOptions h;
         h.certfile = parts[1];
         h.keyfile = parts[2].empty() ? parts[1] : parts[2];
         a.tls.sni_hosts.emplace_back(parts[0], h);
         return {};
       }},
  };
  return m;
}

using Flag = std::function<void(Args&)>;

const std::map<std::string, Flag>& flags() {
  static const std::map<std::string, Flag> m = {
      {"fail-if-no-peer-cert", [](Args& a) { a.tls.fail_if_no_peer_cert = true; }},
      {"http", [](Args& a) { a.http = true; }},
      {"concurrent", [](Args& a) { a.concurrent = true; }},
      {"reconnect", [](Args& a) { a.reconnect = true; }},
      {"renegotiate", [](Args& a) { a.renegotiate = true; }},
      {"no-sni", [](Args& a) { a.tls.server_name_indication = DisableSni{}; }},
      {"fallback", [](Args& a) { a.tls.fallback = true; }},
      {"honor-cipher-order", [](Args& a) { a.tls.honor_cipher_order = true; }},
      {"no-client-renegotiation", [](Args& a) { a.tls.client_renegotiation = false; }},
      {"no-ems", [](Args& a) { a.tls.extended_master_secret = false; }},
      {"no-etm", [](Args& a) { a.tls.encrypt_then_mac = false; }},
      {"reuseaddr", [](Args& a) { a.sock.reuseaddr = true; }},
  };
  return m;
}

// The spec's option name for a dashed command-line name: "fail-if-no-peer-cert" -> "fail_if_no_peer_cert".
std::string spec_name(std::string s) {
  for (char& c : s) if (c == '-') c = '_';
  return s;
}

}  // namespace

Res<Args> parse(const std::vector<std::string>& argv) {
  Args a;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) return fail(Error::options(arg, "not an option"));
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (auto f = flags().find(name); f != flags().end()) {
      if (has_value) return fail(Error::options(spec_name(name), "takes no value"));
      f->second(a);
      continue;
    }
    auto s = valued().find(name);
    if (s == valued().end()) return fail(Error::options(spec_name(name), "unknown or unsupported option"));
    if (!has_value) {
      // A boolean option given alone means true: `--secure-renegotiate` is `--secure-renegotiate true`.
      const bool boolean = name == "secure-renegotiate" || name == "reuse-sessions";
      const bool next_is_value = i + 1 < argv.size() && argv[i + 1].compare(0, 2, "--") != 0;
      if (boolean && !next_is_value)
        value = "true";
      else if (i + 1 >= argv.size())
        return fail(Error::options(spec_name(name), "needs a value"));
      else
        value = argv[++i];
    }
    if (auto r = s->second(spec_name(name), value, a); !r) return fail(r.error());
  }
  make_lookup_fun(a);
  return a;
}

}  // namespace essl::cli

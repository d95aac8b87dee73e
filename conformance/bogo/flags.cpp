#include "conformance/bogo/flags.hpp"

#include <charconv>
#include <string_view>
#include <variant>

namespace essl::bogo {
namespace {

struct Ignored {
  bool takes_value;
};
struct Unsupported {
  std::string_view why;
};
struct MustBeZero {};  // an integer flag that essl honours only at its default of 0

using Target = std::variant<bool Settings::*, int Settings::*, std::string Settings::*, Ignored, Unsupported,
                            MustBeZero>;

struct Spec {
  std::string_view name;
  Target target;
};

// Every flag the shim understands. Flags the runner uses that are absent here are unimplemented too;
// the Unsupported rows only say why for the features essl lacks, to make a run's log readable.
constexpr Spec specs[] = {
    {"-port", &Settings::port},
    {"-server", &Settings::server},
    {"-is-handshaker-supported", &Settings::is_handshaker_supported},
    {"-resume-count", &Settings::resume_count},
    {"-key-file", &Settings::key_file},
    {"-cert-file", &Settings::cert_file},
    {"-min-version", &Settings::min_version},
    {"-max-version", &Settings::max_version},
    {"-no-tls1", &Settings::no_tls1},
    {"-no-tls11", &Settings::no_tls11},
    {"-no-tls12", &Settings::no_tls12},
    {"-no-tls13", &Settings::no_tls13},
    {"-no-ssl3", &Settings::no_ssl3},
    {"-cipher", &Settings::cipher},
    {"-host-name", &Settings::host_name},
    {"-fallback-scsv", &Settings::fallback_scsv},
    {"-shim-writes-first", &Settings::shim_writes_first},
    {"-shim-shuts-down", &Settings::shim_shuts_down},
    {"-check-close-notify", &Settings::check_close_notify},
    {"-read-size", &Settings::read_size},
    {"-expect-version", &Settings::expect_version},
    {"-expect-session-miss", &Settings::expect_session_miss},
    {"-expect-session-id", &Settings::expect_session_id},
    {"-expect-no-session-id", &Settings::expect_no_session_id},
    {"-expect-no-session", &Settings::expect_no_session},
    {"-expect-server-name", &Settings::expect_server_name},
    {"-expect-peer-cert-file", &Settings::expect_peer_cert_file},
    // Passed to every shim; meaningless here.
    {"-test-name", Ignored{true}},
    {"-handshaker-path", Ignored{true}},
    // Blocking I/O gives the same protocol behaviour as the reference shim's asynchronous BIO, and the
    // handshake always runs before the first read or write.
    {"-async", Ignored{false}},
    {"-implicit-handshake", Ignored{false}},
    // essl has no session tickets: never sending or accepting one is what these ask for.
    {"-no-ticket", Ignored{false}},
    // essl always offers every curve it implements (X25519, P-256, P-384, P-521).
    {"-enable-all-curves", Ignored{false}},
    {"-expect-total-renegotiations", MustBeZero{}},
    {"-dtls", Unsupported{"DTLS"}},
    {"-verify-peer", Unsupported{"no verify_fun to accept the runner's (expired, self-signed) certificates"}},
    {"-require-any-client-certificate", Unsupported{"no verify_fun to accept any client certificate"}},
    {"-verify-fail", Unsupported{"no verify_fun"}},
    {"-expect-verify-result", Unsupported{"no verify_fun"}},
    {"-renegotiate-freely", Unsupported{"renegotiation"}},
    {"-renegotiate-once", Unsupported{"renegotiation"}},
    {"-renegotiate-ignore", Unsupported{"renegotiation"}},
    {"-renegotiate-explicit", Unsupported{"renegotiation"}},
    {"-expect-secure-renegotiation", Unsupported{"RFC 5746 status not reported"}},
    {"-expect-no-secure-renegotiation", Unsupported{"RFC 5746 status not reported"}},
    {"-expect-extended-master-secret", Unsupported{"extended master secret (RFC 7627)"}},
    {"-advertise-alpn", Unsupported{"ALPN"}},
    {"-select-alpn", Unsupported{"ALPN"}},
    {"-expect-alpn", Unsupported{"ALPN"}},
    {"-advertise-npn", Unsupported{"NPN"}},
    {"-select-next-proto", Unsupported{"NPN"}},
    {"-curves", Unsupported{"no option to choose the curves"}},
    {"-expect-curve-id", Unsupported{"the negotiated curve is not reported"}},
    {"-signing-prefs", Unsupported{"no option to choose signature algorithms"}},
    {"-verify-prefs", Unsupported{"no option to choose signature algorithms"}},
    {"-expect-peer-signature-algorithm", Unsupported{"the peer's signature algorithm is not reported"}},
    {"-enable-ocsp-stapling", Unsupported{"OCSP stapling"}},
    {"-enable-signed-cert-timestamps", Unsupported{"signed certificate timestamps"}},
    {"-psk", Unsupported{"PSK"}},
    {"-false-start", Unsupported{"False Start"}},
    {"-export-keying-material", Unsupported{"keying material exporter on the shim's connection"}},
    {"-tls-unique", Unsupported{"tls-unique"}},
    {"-max-send-fragment", Unsupported{"no option for the record size"}},
    {"-enable-early-data", Unsupported{"TLS 1.3 early data"}},
    {"-enable-channel-id", Unsupported{"Channel ID"}},
    {"-send-channel-id", Unsupported{"Channel ID"}},
    {"-token-binding-params", Unsupported{"Token Binding"}},
    {"-srtp-profiles", Unsupported{"SRTP"}},
    {"-enable-ed25519", Unsupported{"Ed25519"}},
};

const Spec* find(std::string_view name) {
  for (const Spec& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

bool takes_value(const Target& t) {
  if (std::holds_alternative<int Settings::*>(t) || std::holds_alternative<std::string Settings::*>(t)) return true;
  if (const auto* i = std::get_if<Ignored>(&t)) return i->takes_value;
  return std::holds_alternative<MustBeZero>(t);
}

std::optional<int> to_int(const std::string& s) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

enum class Scope { both, initial, resume };

}  // namespace

Parsed parse_flags(const std::vector<std::string>& args) {
  Parsed out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    Scope scope = Scope::both;
    if (name.starts_with("-on-initial-")) {
      scope = Scope::initial;
      name = "-" + name.substr(12);
    } else if (name.starts_with("-on-resume-")) {
      scope = Scope::resume;
      name = "-" + name.substr(11);
    } else if (name.starts_with("-on-retry-")) {
      if (!out.unimplemented) out.unimplemented = args[i] + ": TLS 1.3 early data retries";
      return out;
    }
    const Spec* spec = find(name);
    if (!spec) {
      if (!out.unimplemented) out.unimplemented = args[i] + ": unknown flag";
      return out;
    }
    if (const auto* u = std::get_if<Unsupported>(&spec->target)) {
      out.unimplemented = args[i] + ": " + std::string(u->why);
      return out;
    }
    std::string value;
    if (takes_value(spec->target)) {
      if (i + 1 >= args.size()) {
        out.bad = args[i] + ": missing value";
        return out;
      }
      value = args[++i];
    }
    auto apply = [&](Settings& s) -> bool {
      return std::visit(
          [&](auto&& t) -> bool {
            using T = std::decay_t<decltype(t)>;
            if constexpr (std::is_same_v<T, bool Settings::*>) {
              s.*t = true;
            } else if constexpr (std::is_same_v<T, int Settings::*>) {
              auto v = to_int(value);
              if (!v) return false;
              s.*t = *v;
            } else if constexpr (std::is_same_v<T, std::string Settings::*>) {
              s.*t = value;
            } else if constexpr (std::is_same_v<T, MustBeZero>) {
              auto v = to_int(value);
              if (!v) return false;
              if (*v != 0 && !out.unimplemented) out.unimplemented = args[i - 1] + " " + value;
            }
            return true;
          },
          spec->target);
    };
    bool ok = true;
    if (scope != Scope::resume) ok = apply(out.initial) && ok;
    if (scope != Scope::initial) ok = apply(out.resume) && ok;
    if (!ok) {
      out.bad = name + ": not a number: " + value;
      return out;
    }
    if (out.unimplemented) return out;
  }
  return out;
}

}  // namespace essl::bogo

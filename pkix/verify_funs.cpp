// The verify.hpp functions that are about path validation: reason atoms, their alerts, the default funs.
#include <string>

#include "essl/verify.hpp"

namespace essl {

std::string_view bad_cert_atom(BadCertReason r) {
  switch (r) {
    case BadCertReason::unknown_ca: return "unknown_ca";
    case BadCertReason::selfsigned_peer: return "selfsigned_peer";
    case BadCertReason::cert_expired: return "cert_expired";
    case BadCertReason::invalid_issuer: return "invalid_issuer";
    case BadCertReason::invalid_signature: return "invalid_signature";
    case BadCertReason::name_not_permitted: return "name_not_permitted";
    case BadCertReason::missing_basic_constraint: return "missing_basic_constraint";
    case BadCertReason::invalid_key_usage: return "invalid_key_usage";
    case BadCertReason::invalid_ext_key_usage: return "invalid_ext_key_usage";
    case BadCertReason::max_path_length_reached: return "max_path_length_reached";
    case BadCertReason::unknown_critical_extension: return "unknown_critical_extension";
    case BadCertReason::invalid_policy: return "invalid_policy";
    case BadCertReason::revoked: return "revoked";
    case BadCertReason::revocation_status_undetermined: return "revocation_status_undetermined";
    case BadCertReason::hostname_check_failed: return "hostname_check_failed";
  }
  return "unknown";
}

// reference-behaviour.md, "Which alert for which failure".
AlertDescription bad_cert_alert(BadCertReason r) {
  switch (r) {
    case BadCertReason::cert_expired: return AlertDescription::certificate_expired;
    case BadCertReason::invalid_issuer:
    case BadCertReason::invalid_signature:
    case BadCertReason::name_not_permitted:
    case BadCertReason::selfsigned_peer:
    case BadCertReason::revocation_status_undetermined: return AlertDescription::bad_certificate;
    case BadCertReason::unknown_critical_extension: return AlertDescription::unsupported_certificate;
    case BadCertReason::revoked: return AlertDescription::certificate_revoked;
    case BadCertReason::unknown_ca: return AlertDescription::unknown_ca;
    case BadCertReason::max_path_length_reached:
    case BadCertReason::missing_basic_constraint:
    case BadCertReason::invalid_key_usage:
    case BadCertReason::invalid_ext_key_usage:
    case BadCertReason::invalid_policy:
    case BadCertReason::hostname_check_failed: return AlertDescription::handshake_failure;
  }
  return AlertDescription::handshake_failure;
}

std::string BadCert::text() const {
  std::string r(bad_cert_atom(reason));
  if (reason == BadCertReason::revoked) r = "{revoked," + revocation_reason + "}";
  return "{bad_cert," + r + "}";
}

VerifyFun default_verify_fun_verify_peer() {
  return {[](std::span<const uint8_t>, const VerifyEvent& event, std::any&) {
            if (const auto* bad = std::get_if<BadCert>(&event)) return VerifyResult::fail(*bad);
            if (std::holds_alternative<ExtensionEvent>(event)) return VerifyResult::unknown();
            return VerifyResult::valid();
          },
          std::any{}};
}

VerifyFun default_verify_fun_verify_none() {
  return {[](std::span<const uint8_t>, const VerifyEvent& event, std::any&) {
            if (const auto* ext = std::get_if<ExtensionEvent>(&event))
              return ext->critical ? VerifyResult::valid() : VerifyResult::unknown();
            return VerifyResult::valid();
          },
          std::any{}};
}

}  // namespace essl

// Names of alert descriptions: the atom and the lower-case text the spec reports in
// {error, {tls_alert, Text}}.
#include "essl/alert.hpp"

namespace essl {

namespace {

struct AlertName {
  std::string_view atom;
  std::string_view text;
};

// An empty atom for values outside the enum.
AlertName name_of(AlertDescription d) {
  using D = AlertDescription;
  switch (d) {
    case D::close_notify: return {"close_notify", "close notify"};
    case D::unexpected_message: return {"unexpected_message", "unexpected message"};
    case D::bad_record_mac: return {"bad_record_mac", "bad record mac"};
    case D::decryption_failed: return {"decryption_failed", "decryption failed"};
    case D::record_overflow: return {"record_overflow", "record overflow"};
    case D::decompression_failure: return {"decompression_failure", "decompression failure"};
    case D::handshake_failure: return {"handshake_failure", "handshake failure"};
    case D::no_certificate: return {"no_certificate", "no certificate"};
    case D::bad_certificate: return {"bad_certificate", "bad certificate"};
    case D::unsupported_certificate: return {"unsupported_certificate", "unsupported certificate"};
    case D::certificate_revoked: return {"certificate_revoked", "certificate revoked"};
    case D::certificate_expired: return {"certificate_expired", "certificate expired"};
    case D::certificate_unknown: return {"certificate_unknown", "certificate unknown"};
    case D::illegal_parameter: return {"illegal_parameter", "illegal parameter"};
    case D::unknown_ca: return {"unknown_ca", "unknown ca"};
    case D::access_denied: return {"access_denied", "access denied"};
    case D::decode_error: return {"decode_error", "decode error"};
    case D::decrypt_error: return {"decrypt_error", "decrypt error"};
    case D::export_restriction: return {"export_restriction", "export restriction"};
    case D::protocol_version: return {"protocol_version", "protocol version"};
    case D::insufficient_security: return {"insufficient_security", "insufficient security"};
    case D::internal_error: return {"internal_error", "internal error"};
    case D::inappropriate_fallback: return {"inappropriate_fallback", "inappropriate fallback"};
    case D::user_canceled: return {"user_canceled", "user canceled"};
    case D::no_renegotiation: return {"no_renegotiation", "no renegotiation"};
    case D::unsupported_extension: return {"unsupported_extension", "unsupported extension"};
    case D::certificate_unobtainable: return {"certificate_unobtainable", "certificate unobtainable"};
    case D::unrecognized_name: return {"unrecognized_name", "unrecognized name"};
    case D::bad_certificate_status_response:
      return {"bad_certificate_status_response", "bad certificate status response"};
    case D::bad_certificate_hash_value: return {"bad_certificate_hash_value", "bad certificate hash value"};
    case D::unknown_psk_identity: return {"unknown_psk_identity", "unknown psk identity"};
    case D::no_application_protocol: return {"no_application_protocol", "no application protocol"};
  }
  return {};
}

}  // namespace

std::string_view alert_atom(AlertDescription d) {
  AlertName n = name_of(d);
  return n.atom.empty() ? "unknown_alert" : n.atom;
}

std::string_view alert_text(AlertDescription d) {
  AlertName n = name_of(d);
  return n.atom.empty() ? "unknown alert" : n.text;
}

bool alert_known(uint8_t value) { return !name_of(AlertDescription(value)).atom.empty(); }

}  // namespace essl

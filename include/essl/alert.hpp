// Alert descriptions (RFC 5246 7.2, RFC 7301, RFC 7507), named as the spec names them.
#pragma once
#include <cstdint>
#include <string_view>

namespace essl {

enum class AlertLevel : uint8_t { warning = 1, fatal = 2 };

enum class AlertDescription : uint8_t {
  close_notify = 0,
  unexpected_message = 10,
  bad_record_mac = 20,
  decryption_failed = 21,
  record_overflow = 22,
  decompression_failure = 30,
  handshake_failure = 40,
  no_certificate = 41,
  bad_certificate = 42,
  unsupported_certificate = 43,
  certificate_revoked = 44,
  certificate_expired = 45,
  certificate_unknown = 46,
  illegal_parameter = 47,
  unknown_ca = 48,
  access_denied = 49,
  decode_error = 50,
  decrypt_error = 51,
  export_restriction = 60,
  protocol_version = 70,
  insufficient_security = 71,
  internal_error = 80,
  inappropriate_fallback = 86,
  user_canceled = 90,
  no_renegotiation = 100,
  unsupported_extension = 110,
  certificate_unobtainable = 111,
  unrecognized_name = 112,
  bad_certificate_status_response = 113,
  bad_certificate_hash_value = 114,
  unknown_psk_identity = 115,
  no_application_protocol = 120,
};

// The atom, e.g. "unknown_ca"; "unknown_alert" for a value outside the enum.
std::string_view alert_atom(AlertDescription d);
// The spec's lower-case text, e.g. "unknown ca".
std::string_view alert_text(AlertDescription d);
// True for the values listed above.
bool alert_known(uint8_t value);

}  // namespace essl

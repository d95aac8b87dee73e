#include "conformance/bogo/errors.hpp"

#include <cctype>

namespace essl::bogo {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The alerts SSL 3.0 already defined (its alert names carry the SSLV3_ prefix in BoringSSL's errors).
bool ssl3_alert(AlertDescription d) {
  switch (d) {
    case AlertDescription::close_notify:
    case AlertDescription::unexpected_message:
    case AlertDescription::bad_record_mac:
    case AlertDescription::decompression_failure:
    case AlertDescription::handshake_failure:
    case AlertDescription::no_certificate:
    case AlertDescription::bad_certificate:
    case AlertDescription::unsupported_certificate:
    case AlertDescription::certificate_revoked:
    case AlertDescription::certificate_expired:
    case AlertDescription::certificate_unknown:
    case AlertDescription::illegal_parameter: return true;
    default: return false;
  }
}

}  // namespace

std::string error_token(const Error& e) {
  switch (e.kind) {
    case Error::Kind::tls_alert: {
      std::string name = upper(alert_atom(e.alert));
      if (e.alert_sent) return ":" + name + ":";
      return std::string(ssl3_alert(e.alert) ? ":SSLV3_ALERT_" : ":TLSV1_ALERT_") + name + ":";
    }
    case Error::Kind::closed: return ":CLOSED:";
    case Error::Kind::timeout: return ":TIMEOUT:";
    case Error::Kind::options: return ":OPTIONS:";
    case Error::Kind::transport: return ":TRANSPORT:";
    case Error::Kind::other: return ":" + upper(e.detail) + ":";
  }
  return ":UNKNOWN:";
}

}  // namespace essl::bogo

// How the shim reports a failure so that the runner's expected-error strings can match it.
//
// The runner looks for a string such as ":UNEXPECTED_MESSAGE:" in the shim's stderr. essl's errors are
// TLS alerts (sent or received), `closed`, `timeout`, option and transport errors; each is reported as
// one token in the reference implementation's spelling where a name exists for it:
//   - an alert essl sent: the alert's name, ":HANDSHAKE_FAILURE:", ":DECODE_ERROR:", ...
//   - an alert the peer sent: ":SSLV3_ALERT_<NAME>:" for the alerts SSL 3.0 defined and
//     ":TLSV1_ALERT_<NAME>:" for the later ones, as BoringSSL reports received alerts;
//   - closed: ":CLOSED:", timeout ":TIMEOUT:", transport ":TRANSPORT:", options ":OPTIONS:".
// The shim config's ErrorMap translates the runner's more specific names to these where essl reaches
// the same verdict through the alert it sends.
#pragma once
#include <string>

#include "essl/error.hpp"

namespace essl::bogo {

std::string error_token(const Error& e);

}  // namespace essl::bogo

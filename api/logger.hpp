// The alert lines the socket layer logs.
#pragma once
#include <string>

#include "essl/error.hpp"
#include "statemachine/config.hpp"

namespace essl::detail {

// The reference's line for a fatal alert we generated or received, e.g.
// "TLS client: In state certify generated CLIENT ALERT: Fatal - Unknown CA";
// the reason follows after " - " when it says more than the description.
std::string alert_log_line(Role role, const Error& alert);
// Logs `e` when it is a TLS alert and `log_alert` is on.
void log_alert(Role role, bool log_alert, const Error& e);

}  // namespace essl::detail

// Application-wide state: the session caches that start() opens and stop() terminates, and the
// connection configurations made from user options.
#pragma once
#include <chrono>
#include <memory>

#include "statemachine/config.hpp"
#include "statemachine/session_cache.hpp"

namespace essl::detail {

// The role's session cache; opened (both roles) on first use when start() was not called.
Res<std::shared_ptr<SessionStore>> session_store(Role role);

// The application's alert_timeout when AppConfig gives none (the spec's 5000 ms).
inline constexpr std::chrono::milliseconds default_alert_timeout{5000};

// validate(options), the application-wide defaults filled in (crl_cache: the internal cache when
// crl_check is on; versions: protocol_version; alert_timeout), then Config::make.
Result<std::shared_ptr<const Config>, Error> make_config(Role role, const Options& options,
                                                         std::shared_ptr<SessionStore> cache);

}  // namespace essl::detail

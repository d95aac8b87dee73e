// Application-wide state: the session caches that start() opens and stop() terminates, and the
// connection configurations made from user options.
#pragma once
#include <memory>

#include "statemachine/config.hpp"
#include "statemachine/session_cache.hpp"

namespace essl::detail {

// The role's session cache; opened (both roles) on first use when start() was not called.
Res<std::shared_ptr<SessionStore>> session_store(Role role);

// validate(options), the application-wide defaults filled in (crl_cache: the internal cache when
// crl_check is on), then Config::make.
Result<std::shared_ptr<const Config>, Error> make_config(Role role, const Options& options,
                                                         std::shared_ptr<SessionStore> cache);

}  // namespace essl::detail

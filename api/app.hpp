// Application-wide state: the client session cache that start() creates and stop() drops, and the
// connection configurations made from user options.
#pragma once
#include <memory>

#include "statemachine/config.hpp"
#include "statemachine/session_cache.hpp"

namespace essl::detail {

// Made on first use when start() was not called.
std::shared_ptr<SessionCache> client_session_cache();

// validate(options), the application-wide defaults filled in (crl_cache: the internal cache when
// crl_check is on), then Config::make.
Result<std::shared_ptr<const Config>, Error> make_config(Role role, const Options& options,
                                                         std::shared_ptr<SessionCache> cache);

}  // namespace essl::detail

// Application-wide state: the client session cache that start() creates and stop() drops.
#pragma once
#include <memory>

#include "statemachine/session_cache.hpp"

namespace essl::detail {

// Made on first use when start() was not called.
std::shared_ptr<SessionCache> client_session_cache();

}  // namespace essl::detail

// hibernate_after: one thread for the whole library wakes when a socket's idle time may have run out and,
// if no traffic came meanwhile, has the socket give back its idle buffers (Socket::Impl::hibernate).
#pragma once
#include <chrono>
#include <memory>

#include "essl/ssl.hpp"

namespace essl::detail {

using HibernateClock = std::chrono::steady_clock;

// Calls socket->check_hibernation() at `when` or soon after, unless the socket is gone by then.
void schedule_hibernation(std::weak_ptr<Socket::Impl> socket, HibernateClock::time_point when);

}  // namespace essl::detail

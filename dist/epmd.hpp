// epmd, the port mapper, asked over plain TCP as Erlang nodes ask it (PORT_PLEASE2).
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

#include "essl/error.hpp"

namespace essl::dist {

// The distribution port of node `alive` at `host`, from the epmd there (port ERL_EPMD_PORT, default
// 4369). Error::other("noport") when epmd does not know the name; a transport error when epmd does not
// answer.
Res<uint16_t> epmd_port_please(const std::string& host, const std::string& alive, std::chrono::milliseconds timeout);

// The port epmd listens on: ERL_EPMD_PORT when set to a port number, else 4369.
uint16_t epmd_port();

}  // namespace essl::dist

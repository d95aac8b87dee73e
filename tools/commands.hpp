// The essl subcommands; each returns the process exit status (0 ok, 1 failure, 2 bad options).
#pragma once
#include "tools/cli_args.hpp"

namespace essl::cli {

int run_server(const Args& a);
int run_client(const Args& a);
// `essl node`: a distribution node over TLS (tools/node.cpp); takes the words after "node".
int run_node(const std::vector<std::string>& args);

// A one-line description of a connection: "protocol=tlsv1.2 cipher_suite=... [sni=...] [resumed=true]";
// with `report_resumed`, resumed=true|false always.
std::string describe(const ConnectionInfo& info, bool report_resumed = false);

}  // namespace essl::cli

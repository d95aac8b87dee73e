// The essl command's options: the spec's option names with dashes, parsed into essl::Options.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "essl/essl.hpp"

namespace essl::cli {

struct Args {
  Options tls;
  SocketOptions sock = passive_binary();
  std::string host;
  uint16_t port = 0;
  bool http = false;       // server: answer HTTP requests with a page about the connection
  bool concurrent = false;  // server: every connection at once on one event loop (essl/event.hpp)
  size_t max_connections = 4096;  // server --concurrent: open descriptors at most (per thread)
  size_t threads = 1;             // server --concurrent: event loops, one thread each, sharing the port
  bool reconnect = false;  // client: connect once, close, then connect again (resuming)
  bool renegotiate = false;  // after the handshake, renegotiate once (client: ClientHello; server: HelloRequest)
  Timeout timeout = std::chrono::milliseconds(30000);  // connect / handshake
  std::chrono::milliseconds linger{1000};  // client: how long to wait for the peer after stdin ends
  std::vector<std::string> crlfiles;       // inserted into the internal CRL cache (ssl_crl_cache:insert)
  // --psk-key HEX: the user_lookup_fun answers this key for every PSK identity (and hint).
  std::optional<std::vector<uint8_t>> psk_key;
  // --srp-user USER:PASSWORD (server): the user_lookup_fun knows this user, in group srp_2048.
  std::optional<std::pair<std::string, std::string>> srp_user;
};

// Parses argv[from..]; an options error names the first bad option.
Res<Args> parse(const std::vector<std::string>& argv);

}  // namespace essl::cli

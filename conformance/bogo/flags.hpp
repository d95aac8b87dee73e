// The BoGo runner's shim flags (ssl/test/runner, the shim protocol of BoringSSL's test_config.cc) as one
// struct per connection. Flags prefixed `-on-initial-` apply to the first connection only, `-on-resume-`
// to the resumption connections; a flag the shim does not know, or knows but cannot honour with essl, is
// reported so that the shim exits 89 ("unimplemented") as the runner expects.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace essl::bogo {

struct Settings {
  // Transport and roles.
  int port = 0;
  bool server = false;
  bool is_handshaker_supported = false;  // the runner asks once whether split handshakes are supported
  int resume_count = 0;

  // Credentials.
  std::string key_file, cert_file;

  // Versions, as wire numbers (0x0301 TLS 1.0 ... 0x0304 TLS 1.3). 0 = no bound.
  int min_version = 0, max_version = 0;
  bool no_tls1 = false, no_tls11 = false, no_tls12 = false, no_tls13 = false, no_ssl3 = false;

  std::string cipher;     // an OpenSSL-format suite list, as `ciphers`
  std::string host_name;  // SNI the client sends
  bool fallback_scsv = false;

  // The data exchange after the handshake.
  bool shim_writes_first = false;
  bool shim_shuts_down = false;
  bool check_close_notify = false;
  int read_size = 0;  // bytes per read; 0 = 512 as the reference shim

  // Expectations, checked after each handshake.
  int expect_version = 0;
  bool expect_session_miss = false;
  bool expect_session_id = false, expect_no_session_id = false, expect_no_session = false;
  std::string expect_server_name;
  std::string expect_peer_cert_file;
};

struct Parsed {
  Settings initial;                 // the first connection
  Settings resume;                  // every resumption connection
  std::optional<std::string> unimplemented;  // the first flag that cannot be honoured, and why
  std::optional<std::string> bad;            // a malformed command line
};

Parsed parse_flags(const std::vector<std::string>& args);

}  // namespace essl::bogo

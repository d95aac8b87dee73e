// connection_information/1: what was negotiated.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "essl/suites.hpp"

namespace essl {

struct ConnectionInfo {
  std::optional<Version> protocol;
  std::optional<SuiteSpec> cipher_suite;
  std::string cipher_suite_name;          // erlang-style, e.g. "ecdhe_rsa_aes_128_gcm_sha256"
  std::optional<std::string> sni_hostname;
  std::vector<uint8_t> session_id;
  bool resumed = false;
  bool extended_master_secret = false;  // RFC 7627, in the last completed handshake
  bool encrypt_then_mac = false;        // RFC 7366, for the records now protected
  std::vector<uint8_t> client_random, server_random;  // for prf/5 seeds
};

}  // namespace essl

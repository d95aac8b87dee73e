// Sessions for resumption (RFC 5246 7.3, abbreviated handshake). The pluggable cache with the spec's
// callbacks comes with the sessions work; this is the store the engine uses.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "essl/suites.hpp"

namespace essl {

struct Session {
  std::vector<uint8_t> id;
  Version version;
  uint16_t cipher_suite;
  std::vector<uint8_t> master_secret;
  std::vector<std::vector<uint8_t>> peer_certificates;  // DER, leaf first
  std::string sni;
  // The verification settings the session was made under; a resumption under different settings is not
  // offered (a resumed session must never bypass the current verification).
  std::string verify_fingerprint;
  int64_t created_unix = 0;
};

class SessionCache {
 public:
  virtual ~SessionCache() = default;
  // Client key: "host:port"; server key: the session id as hex.
  virtual std::optional<Session> lookup(const std::string& key) = 0;
  virtual void store(const std::string& key, const Session& s) = 0;
  virtual void erase(const std::string& key) = 0;
};

// Thread-safe in-memory cache with a lifetime (default 86400 s) and a maximum size (default 1000).
class MemorySessionCache : public SessionCache {
 public:
  explicit MemorySessionCache(int64_t lifetime_seconds = 86400, size_t max_entries = 1000);
  std::optional<Session> lookup(const std::string& key) override;
  void store(const std::string& key, const Session& s) override;
  void erase(const std::string& key) override;

 private:
  std::mutex mu_;
  std::map<std::string, Session> entries_;
  int64_t lifetime_;
  size_t max_;
};

}  // namespace essl

// Sessions for resumption (RFC 5246 7.3, abbreviated handshake) as the engine keeps them, and SessionStore:
// one role's cache (a SessionCacheCallback, essl/session_cache.hpp) with the application's lifetime and
// maximum applied — the spec's "cache handling process".
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "essl/session_cache.hpp"
#include "essl/suites.hpp"

namespace essl {

struct SessionState {
  std::vector<uint8_t> id;
  Version version = Version::tlsv1_2;
  uint16_t cipher_suite = 0;
  std::vector<uint8_t> master_secret;
  bool extended_master_secret = false;  // RFC 7627 5.3: a resumption must agree
  std::vector<std::vector<uint8_t>> peer_certificates;  // DER, leaf first
  std::string sni;
  // The verification settings (and own certificate) the session was made under; a resumption under other
  // settings is not offered or accepted (a resumed session must never bypass the current verification).
  std::string verify_fingerprint;
  int64_t created_unix = 0;  // stamped by SessionStore::update
};

struct SessionLimits {
  int64_t lifetime_seconds = 86400;  // session_lifetime
  size_t max_entries = 1000;         // session_cache_client_max / session_cache_server_max (at least 1)
};

class SessionStore {
 public:
  using Clock = std::function<int64_t()>;  // unix seconds; empty = the system clock

  // Calls cb->init(role, args) and counts the entries already there (a persistent cache's).
  static Res<std::shared_ptr<SessionStore>> open(Role role, std::shared_ptr<SessionCacheCallback> cb,
                                                 const SessionCacheInitArgs& args = {}, SessionLimits limits = {},
                                                 Clock now = {});
  // Over a fresh MemorySessionCache: for configurations made without the application's caches.
  static std::shared_ptr<SessionStore> memory(Role role, SessionLimits limits = {});

  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  // Client: the sessions under `partial` that are still within their lifetime, newest first.
  std::vector<SessionState> select(const PartialKey& partial);
  // Server: the session under `key`, if still within its lifetime.
  std::optional<SessionState> lookup(const SessionKey& key);
  // Stamps the session with the current time and stores it; at the maximum, first deletes every entry
  // (the spec: "invalidated regardless of their remaining lifetime").
  void update(const SessionKey& key, SessionState s);
  void erase(const SessionKey& key);
  // terminate(Cache), once; afterwards lookups find nothing and updates are dropped.
  void terminate();

  Role role() const { return role_; }

 private:
  SessionStore(Role role, std::shared_ptr<SessionCacheCallback> cb, std::any ref, SessionLimits limits, Clock now);
  bool expired(const SessionState& s) const;
  size_t count_entries();  // foldl; with mu_ held

  const Role role_;
  const std::shared_ptr<SessionCacheCallback> cb_;
  const std::any ref_;
  const SessionLimits limits_;
  const Clock now_;
  // Shared: lookup and select_session. Exclusive: update, delete, foldl, terminate.
  std::shared_mutex mu_;
  bool terminated_ = false;
  size_t count_ = 0;  // entries: counted at init, then kept up to date (recounted at the maximum)
};

}  // namespace essl

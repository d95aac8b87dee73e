// ssl_session_cache_api: plug a session store into resumption (RFC 5246 7.3, abbreviated handshake).
//
//   class MyCache : public essl::SessionCacheCallback { ... the seven callbacks ... };
//   essl::AppConfig env;
//   env.session_cb = std::make_shared<MyCache>();
//   env.session_cb_init_args = {{"path", "/var/lib/app/sessions.db"}};
//   essl::set_app_config(env);
//   essl::start();   // init(client, args) and init(server, args)
//   ...
//   essl::stop();    // terminate() on both references
//
// Keys are the spec's: client {{Host, Port}, SessionId} (the host and port as given to connect), server
// {Port, SessionId} (the listen port). essl stamps each session when it stores it and skips (and deletes)
// sessions older than session_lifetime; when a role's cache holds session_cache_client_max /
// session_cache_server_max entries, essl deletes them all before storing the next one.
//
// Calls essl makes: lookup and select_session from any thread, concurrently with each other; update and
// delete_ one at a time (never concurrently with each other, lookup or select_session); foldl at init (to
// count the entries) and when the maximum is reached; terminate once, from stop().
#pragma once
#include <any>
#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "essl/error.hpp"

namespace essl {

enum class Role { client, server };

// partialkey(): client {Host, Port}; server Port (host empty).
struct PartialKey {
  std::string host;
  uint16_t port = 0;
  auto operator<=>(const PartialKey&) const = default;
};

// key(): {PartialKey, SessionId}.
struct SessionKey {
  PartialKey partial;
  std::vector<uint8_t> session_id;
  auto operator<=>(const SessionKey&) const = default;
};

struct SessionState;  // what resumption needs; defined inside the library

// session(): opaque. Copies share one immutable value. to_bytes() is a stable, versioned encoding, so
// that a persistent cache can keep sessions across a process restart; from_bytes() reads it back (an
// error for bytes it did not write).
class Session {
 public:
  Session() = default;
  explicit Session(std::shared_ptr<const SessionState> state) : state_(std::move(state)) {}
  std::vector<uint8_t> to_bytes() const;
  static Res<Session> from_bytes(std::span<const uint8_t> bytes);
  const SessionState* state() const { return state_.get(); }
  bool empty() const { return !state_; }

 private:
  std::shared_ptr<const SessionState> state_;
};

// session_cb_init_args: {Name, Value} pairs after the predefined {role, client | server}. Values are text;
// anything richer lives in the callback object itself.
using SessionCacheInitArgs = std::vector<std::pair<std::string, std::string>>;

// The callback module. One object serves both roles: init is called once per role and its result, the
// cache_ref(), is passed back to every other callback of that role.
class SessionCacheCallback {
 public:
  virtual ~SessionCacheCallback() = default;
  // init(Args) -> cache_ref(); an error fails start() (or the connection that started the cache).
  virtual Res<std::any> init(Role role, const SessionCacheInitArgs& args) = 0;
  // terminate(Cache): cleanup once essl stops using the reference.
  virtual void terminate(const std::any& cache) = 0;
  // lookup(Cache, Key) -> session() | undefined (std::nullopt).
  virtual std::optional<Session> lookup(const std::any& cache, const SessionKey& key) = 0;
  // update(Cache, Key, Session): caches a new session or replaces a cached one.
  virtual void update(const std::any& cache, const SessionKey& key, const Session& session) = 0;
  // delete(Cache, Key).
  virtual void delete_(const std::any& cache, const SessionKey& key) = 0;
  // foldl(Fun, Acc0, Cache) -> Acc: Fun(Key, Session, AccIn) -> AccOut over every entry; Acc0 when empty.
  using FoldFun = std::function<std::any(const SessionKey& key, const Session& session, std::any acc)>;
  virtual std::any foldl(const FoldFun& fun, std::any acc0, const std::any& cache) = 0;
  // select_session(Cache, PartialKey) -> [session()]: the sessions cached under this partial key.
  virtual std::vector<Session> select_session(const std::any& cache, const PartialKey& partial) = 0;
};

// ssl_session_cache, the default: an in-memory table per init, safe for concurrent use.
class MemorySessionCache : public SessionCacheCallback {
 public:
  Res<std::any> init(Role role, const SessionCacheInitArgs& args) override;
  void terminate(const std::any& cache) override;
  std::optional<Session> lookup(const std::any& cache, const SessionKey& key) override;
  void update(const std::any& cache, const SessionKey& key, const Session& session) override;
  void delete_(const std::any& cache, const SessionKey& key) override;
  std::any foldl(const FoldFun& fun, std::any acc0, const std::any& cache) override;
  std::vector<Session> select_session(const std::any& cache, const PartialKey& partial) override;
};

}  // namespace essl

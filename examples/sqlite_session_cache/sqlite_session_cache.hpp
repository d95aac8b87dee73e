// A persistent session cache on SQLite: an ssl_session_cache_api callback (essl/session_cache.hpp) whose
// sessions survive a restart of the process, so that a restarted client or server still resumes.
//
//   essl::AppConfig env;
//   env.session_cb = std::make_shared<essl::examples::SqliteSessionCache>();
//   env.session_cb_init_args = {{"path", "/var/lib/app/tls-sessions.db"}};
//   essl::set_app_config(env);
//   essl::start();
//
// init args: {"path", File} (required; created when missing). One table, essl_sessions, keyed by
// (role, host, port, session_id) and holding Session::to_bytes(); each init opens its own connection, so
// the client and server roles (and other processes) can share the file. A row that no longer decodes is
// treated as absent. Safe for concurrent use: SQLite's serialized mode.
#pragma once
#include "essl/session_cache.hpp"

namespace essl::examples {

class SqliteSessionCache final : public SessionCacheCallback {
 public:
  Res<std::any> init(Role role, const SessionCacheInitArgs& args) override;
  void terminate(const std::any& cache) override;
  std::optional<Session> lookup(const std::any& cache, const SessionKey& key) override;
  void update(const std::any& cache, const SessionKey& key, const Session& session) override;
  void delete_(const std::any& cache, const SessionKey& key) override;
  std::any foldl(const FoldFun& fun, std::any acc0, const std::any& cache) override;
  std::vector<Session> select_session(const std::any& cache, const PartialKey& partial) override;
};

}  // namespace essl::examples

#include "examples/sqlite_session_cache/sqlite_session_cache.hpp"

#include <sqlite3.h>

#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace essl::examples {
namespace {

constexpr const char* schema =
    "CREATE TABLE IF NOT EXISTS essl_sessions ("
    " role TEXT NOT NULL, host TEXT NOT NULL, port INTEGER NOT NULL, session_id BLOB NOT NULL,"
    " session BLOB NOT NULL, PRIMARY KEY (role, host, port, session_id))";

// One init's connection to the file. terminate() closes it; later calls find it closed and do nothing.
struct Db {
  std::mutex mu;  // one statement at a time on this connection, and none after terminate
  sqlite3* handle = nullptr;
  std::string role;
  ~Db() { sqlite3_close(handle); }
};

std::shared_ptr<Db> db_of(const std::any& cache) {
  const auto* db = std::any_cast<std::shared_ptr<Db>>(&cache);
  return db ? *db : nullptr;
}

// A prepared statement with its parameters bound in order, finalized when it goes out of scope.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    if (db && sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) s_ = nullptr;
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  explicit operator bool() const { return s_ != nullptr; }
  Stmt& bind(const std::string& v) {
    sqlite3_bind_text(s_, ++n_, v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int64_t v) {
    sqlite3_bind_int64(s_, ++n_, v);
    return *this;
  }
  Stmt& bind(std::span<const uint8_t> v) {
    static const uint8_t none = 0;  // a zero-length blob, not NULL
    sqlite3_bind_blob(s_, ++n_, v.empty() ? &none : v.data(), int(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // The role and the key, as the first four parameters.
  Stmt& bind_key(const Db& db, const SessionKey& k) {
    return bind(db.role).bind(k.partial.host).bind(int64_t(k.partial.port)).bind(k.session_id);
  }
  bool step_row() { return s_ && sqlite3_step(s_) == SQLITE_ROW; }
  bool step_done() { return s_ && sqlite3_step(s_) == SQLITE_DONE; }
  std::vector<uint8_t> blob(int col) {
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(s_, col));
    return p ? std::vector<uint8_t>(p, p + sqlite3_column_bytes(s_, col)) : std::vector<uint8_t>{};
  }
  std::string text(int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, size_t(sqlite3_column_bytes(s_, col))) : std::string{};
  }
  int64_t integer(int col) { return sqlite3_column_int64(s_, col); }

 private:
  sqlite3_stmt* s_ = nullptr;
  int n_ = 0;
};

std::optional<Session> decode(const std::vector<uint8_t>& bytes) {
  auto s = Session::from_bytes(bytes);
  if (!s) return std::nullopt;
  return std::move(s).value();
}

}  // namespace

Res<std::any> SqliteSessionCache::init(Role role, const SessionCacheInitArgs& args) {
  std::string path;
  for (const auto& [name, value] : args)
    if (name == "path") path = value;
  if (path.empty()) return fail(Error::options("session_cb_init_args", "SqliteSessionCache needs {path, File}"));
  auto db = std::make_shared<Db>();
  db->role = role == Role::client ? "client" : "server";
  if (sqlite3_open_v2(path.c_str(), &db->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    return fail(Error::other("sqlite_open: " + path + ": " + sqlite3_errmsg(db->handle)));
  // Both roles (and other processes) write the same file: wait for each other's transactions.
  sqlite3_busy_timeout(db->handle, 5000);
  char* why = nullptr;
  if (sqlite3_exec(db->handle, schema, nullptr, nullptr, &why) != SQLITE_OK) {
    std::string text = why ? why : "unknown";
    sqlite3_free(why);
    return fail(Error::other("sqlite_schema: " + text));
  }
  return std::any(std::move(db));
}

void SqliteSessionCache::terminate(const std::any& cache) {
  if (auto db = db_of(cache)) {
    std::lock_guard lock(db->mu);
    sqlite3_close(db->handle);
    db->handle = nullptr;
  }
}

std::optional<Session> SqliteSessionCache::lookup(const std::any& cache, const SessionKey& key) {
  auto db = db_of(cache);
  if (!db) return std::nullopt;
  std::lock_guard lock(db->mu);
  Stmt q(db->handle,
         "SELECT session FROM essl_sessions WHERE role = ? AND host = ? AND port = ? AND session_id = ?");
  if (!q || !q.bind_key(*db, key).step_row()) return std::nullopt;
  return decode(q.blob(0));
}

void SqliteSessionCache::update(const std::any& cache, const SessionKey& key, const Session& session) {
  auto db = db_of(cache);
  if (!db) return;
  std::lock_guard lock(db->mu);
  Stmt q(db->handle,
         "INSERT OR REPLACE INTO essl_sessions (role, host, port, session_id, session) VALUES (?, ?, ?, ?, ?)");
  if (q) (void)q.bind_key(*db, key).bind(session.to_bytes()).step_done();
}

void SqliteSessionCache::delete_(const std::any& cache, const SessionKey& key) {
  auto db = db_of(cache);
  if (!db) return;
  std::lock_guard lock(db->mu);
  Stmt q(db->handle, "DELETE FROM essl_sessions WHERE role = ? AND host = ? AND port = ? AND session_id = ?");
  if (q) (void)q.bind_key(*db, key).step_done();
}

std::any SqliteSessionCache::foldl(const FoldFun& fun, std::any acc0, const std::any& cache) {
  auto db = db_of(cache);
  if (!db) return acc0;
  std::vector<std::pair<SessionKey, Session>> rows;
  {
    std::lock_guard lock(db->mu);
    Stmt q(db->handle, "SELECT host, port, session_id, session FROM essl_sessions WHERE role = ?");
    if (q) q.bind(db->role);
    while (q.step_row()) {
      SessionKey k{PartialKey{q.text(0), uint16_t(q.integer(1))}, q.blob(2)};
      if (auto s = decode(q.blob(3))) rows.emplace_back(std::move(k), std::move(*s));
    }
  }
  // Outside the lock: the fun may call back into the cache.
  std::any acc = std::move(acc0);
  for (const auto& [key, session] : rows) acc = fun(key, session, std::move(acc));
  return acc;
}

std::vector<Session> SqliteSessionCache::select_session(const std::any& cache, const PartialKey& partial) {
  std::vector<Session> out;
  auto db = db_of(cache);
  if (!db) return out;
  std::lock_guard lock(db->mu);
  Stmt q(db->handle, "SELECT session FROM essl_sessions WHERE role = ? AND host = ? AND port = ?");
  if (q) q.bind(db->role).bind(partial.host).bind(int64_t(partial.port));
  while (q.step_row())
    if (auto s = decode(q.blob(0))) out.push_back(std::move(*s));
  return out;
}

}  // namespace essl::examples

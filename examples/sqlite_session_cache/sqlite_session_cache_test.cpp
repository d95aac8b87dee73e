// The SQLite session cache: its callbacks on a file, and resumption across a restart of the caches (the
// first caches terminated and a new callback object opening the same file, as a restarted process does).
#include "examples/sqlite_session_cache/sqlite_session_cache.hpp"

#include <stdlib.h>
#include <unistd.h>

#include "statemachine/session_cache.hpp"  // SessionState, for sample sessions
#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

using examples::SqliteSessionCache;

// A new, empty database file, removed at the end.
struct TempFile {
  std::string path;
  TempFile() {
    char name[] = "/tmp/essl-sessions-XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    if (fd >= 0) ::close(fd);
    path = name;
  }
  ~TempFile() { ::unlink(path.c_str()); }
};

struct RestoreApp {
  ~RestoreApp() {
    stop();
    (void)set_app_config(AppConfig{});
  }
};

// The application's caches on `path`, through a callback object of their own.
void start_on(const std::string& path) {
  AppConfig env;
  env.session_cb = std::make_shared<SqliteSessionCache>();
  env.session_cb_init_args = {{"path", path}};
  ASSERT_TRUE(set_app_config(env));
  stop();
  auto r = start();
  ASSERT_TRUE(r) << format_error(r.error());
}

struct Connected {
  ConnectionInfo client, server;
};

// One connection to a listener on 127.0.0.1:port (0: any), closed again; the listener too.
Connected connect_once(uint16_t& port) {
  Connected out;
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  sock.reuseaddr = true;
  auto ls = listen(port, server_options(), sock);
  EXPECT_TRUE(ls) << format_error(ls.error());
  if (!ls) return out;
  port = ls->port();
  auto pending = accept_async(*ls);
  auto c = connect("127.0.0.1", port, client_options(), 10s, passive_binary());
  auto a = pending.get();
  EXPECT_TRUE(c) << format_error(c.error());
  EXPECT_TRUE(a.handshake_result);
  if (!c || !a.socket || !a.handshake_result) return out;
  out.client = *c->connection_information();
  out.server = *a.socket->connection_information();
  (void)c->close();
  (void)a.socket->close();
  ls->close();
  return out;
}

Session sample(const std::string& fingerprint) {
  auto s = std::make_shared<SessionState>();
  s->id = std::vector<uint8_t>(32, 7);
  s->master_secret = std::vector<uint8_t>(48, 1);
  s->verify_fingerprint = fingerprint;
  return Session(std::move(s));
}

TEST(SqliteSessionCache, ResumesAfterARestart) {
  TempFile db;
  RestoreApp restore;
  start_on(db.path);
  uint16_t port = 0;
  Connected first = connect_once(port);
  EXPECT_FALSE(first.client.resumed);
  ASSERT_EQ(first.client.session_id.size(), 32u);

  // Terminate both caches (closing the file) and look at it from the outside.
  stop();
  {
    SqliteSessionCache reader;
    auto client = reader.init(Role::client, {{"path", db.path}}).value();
    auto server = reader.init(Role::server, {{"path", db.path}}).value();
    EXPECT_TRUE(reader.lookup(client, SessionKey{PartialKey{"127.0.0.1", port}, first.client.session_id}));
    EXPECT_TRUE(reader.lookup(server, SessionKey{PartialKey{"", port}, first.client.session_id}));
    EXPECT_EQ(reader.select_session(client, PartialKey{"127.0.0.1", port}).size(), 1u);
    reader.terminate(client);
    reader.terminate(server);
  }

  // A new callback object on the same file: nothing of the first run is left in memory.
  start_on(db.path);
  Connected second = connect_once(port);
  EXPECT_TRUE(second.client.resumed);
  EXPECT_TRUE(second.server.resumed);
  EXPECT_EQ(second.client.session_id, first.client.session_id);
  EXPECT_EQ(second.server.session_id, first.client.session_id);
}

TEST(SqliteSessionCache, Callbacks) {
  TempFile db;
  SqliteSessionCache cb;
  auto c = cb.init(Role::client, {{"path", db.path}});
  ASSERT_TRUE(c) << format_error(c.error());
  auto s = cb.init(Role::server, {{"path", db.path}}).value();
  const SessionKey k{PartialKey{"example.com", 443}, std::vector<uint8_t>(32, 7)};
  cb.update(*c, k, sample("a"));
  auto got = cb.lookup(*c, k);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->to_bytes(), sample("a").to_bytes());
  EXPECT_FALSE(cb.lookup(s, k)) << "the roles do not share entries";
  cb.update(*c, k, sample("b"));  // replaces
  EXPECT_EQ(cb.lookup(*c, k)->to_bytes(), sample("b").to_bytes());
  cb.update(*c, SessionKey{PartialKey{"other.com", 443}, {1}}, sample("c"));
  EXPECT_EQ(cb.select_session(*c, PartialKey{"example.com", 443}).size(), 1u);
  auto count = [](const SessionKey&, const Session&, std::any acc) { return std::any(std::any_cast<int>(acc) + 1); };
  auto n = cb.foldl(count, 0, *c);
  EXPECT_EQ(std::any_cast<int>(n), 2);
  cb.delete_(*c, k);
  EXPECT_FALSE(cb.lookup(*c, k));
  cb.terminate(*c);
  EXPECT_TRUE(cb.select_session(*c, PartialKey{"other.com", 443}).empty()) << "closed";
  cb.terminate(s);
}

TEST(SqliteSessionCache, InitNeedsAPath) {
  RestoreApp restore;
  AppConfig env;
  env.session_cb = std::make_shared<SqliteSessionCache>();
  ASSERT_TRUE(set_app_config(env));
  stop();
  auto r = start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::options);
  EXPECT_EQ(r.error().option, "session_cb_init_args");
}

}  // namespace
}  // namespace essl::test

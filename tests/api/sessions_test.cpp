// Sessions through the public API: resumption over loopback, reuse_sessions and reuse_session on either
// side, the application's session settings, and a user cache plugged in through session_cb.
#include <unistd.h>

#include <algorithm>
#include <mutex>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

// Restores the default application configuration and caches when a test ends.
struct RestoreApp {
  ~RestoreApp() {
    stop();
    (void)set_app_config(AppConfig{});
    (void)start();
  }
};

// Restarts the caches with `env` (start() reads the configuration).
void restart_with(const AppConfig& env) {
  ASSERT_TRUE(set_app_config(env));
  stop();
  auto r = start();
  ASSERT_TRUE(r) << format_error(r.error());
}

// One server and any number of connections to it, each accepted and handshaken.
struct Server {
  ListenSocket ls;
  explicit Server(const Options& o) {
    SocketOptions sock = passive_binary();
    sock.ip = "127.0.0.1";
    auto l = listen(0, o, sock);
    EXPECT_TRUE(l) << format_error(l.error());
    if (l) ls = std::move(*l);
  }
  struct Conn {
    Socket client, server;
    ConnectionInfo client_info, server_info;
  };
  Conn connect_once(const Options& client_opts = client_options()) {
    Conn c;
    auto pending = accept_async(ls);
    auto s = connect("127.0.0.1", ls.port(), client_opts, 10s, passive_binary());
    auto a = pending.get();
    EXPECT_TRUE(s) << format_error(s.error());
    EXPECT_TRUE(a.handshake_result) << format_error(a.handshake_result.error());
    if (!s || !a.socket || !a.handshake_result) return c;
    c.client = std::move(*s);
    c.server = std::move(*a.socket);
    c.client_info = *c.client.connection_information();
    c.server_info = *c.server.connection_information();
    return c;
  }
};

TEST(Sessions, ClientResumesThroughTheApi) {
  Server srv(server_options());
  auto first = srv.connect_once();
  EXPECT_FALSE(first.client_info.resumed);
  ASSERT_EQ(first.client_info.session_id.size(), 32u);
  EXPECT_EQ(first.server_info.session_id, first.client_info.session_id);
  auto second = srv.connect_once();
  EXPECT_TRUE(second.client_info.resumed);
  EXPECT_TRUE(second.server_info.resumed);
  EXPECT_EQ(second.client_info.session_id, first.client_info.session_id);
  EXPECT_EQ(second.server_info.session_id, first.client_info.session_id);
}

TEST(Sessions, ReuseSessionsFalseOnTheClient) {
  Server srv(server_options());
  Options co = client_options();
  co.reuse_sessions = false;
  (void)srv.connect_once();  // caches a session for this host and port
  EXPECT_FALSE(srv.connect_once(co).client_info.resumed);
  EXPECT_FALSE(srv.connect_once(co).client_info.resumed);
}

TEST(Sessions, ReuseSessionsFalseOnTheServer) {
  Options so = server_options();
  so.reuse_sessions = false;
  Server srv(so);
  auto first = srv.connect_once();
  EXPECT_TRUE(first.server_info.session_id.empty());
  EXPECT_FALSE(srv.connect_once().server_info.resumed);
}

TEST(Sessions, ReuseSessionFunRefuses) {
  std::mutex mu;
  std::vector<std::vector<uint8_t>> asked;
  Options so = server_options();
  so.reuse_session = [&](std::span<const uint8_t> id, std::span<const uint8_t>, uint8_t, const SuiteSpec&) {
    std::lock_guard lock(mu);
    asked.emplace_back(id.begin(), id.end());
    return false;
  };
  Server srv(so);
  auto first = srv.connect_once();
  auto second = srv.connect_once();
  EXPECT_FALSE(second.client_info.resumed);
  EXPECT_FALSE(second.server_info.resumed);
  EXPECT_NE(second.client_info.session_id, first.client_info.session_id) << "a new session";
  std::lock_guard lock(mu);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0], first.client_info.session_id);
}

TEST(Sessions, AppConfigErrorsNameTheSetting) {
  RestoreApp restore;
  AppConfig bad;
  bad.session_lifetime = std::chrono::seconds(-1);
  auto r = set_app_config(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().option, "session_lifetime");
  bad = {};
  bad.session_cache_client_max = 0;
  r = set_app_config(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().option, "session_cache_client_max");
  bad = {};
  bad.session_cache_server_max = -5;
  r = set_app_config(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().option, "session_cache_server_max");
}

TEST(Sessions, ZeroLifetimeMeansNoResumption) {
  RestoreApp restore;
  AppConfig env;
  env.session_lifetime = std::chrono::seconds(0);
  restart_with(env);
  Server srv(server_options());
  (void)srv.connect_once();
  EXPECT_FALSE(srv.connect_once().client_info.resumed);
}

TEST(Sessions, ServerMaximumOfOneInvalidatesThePreviousSession) {
  RestoreApp restore;
  AppConfig env;
  env.session_cache_server_max = 1;
  restart_with(env);
  Server a(server_options()), b(server_options());
  (void)a.connect_once();
  (void)b.connect_once();  // the server cache was full: a's session is invalidated
  EXPECT_FALSE(a.connect_once().server_info.resumed);
}

// A MemorySessionCache that writes down each callback essl makes: "<callback> <role> [details]".
class Recorder : public MemorySessionCache {
 public:
  std::vector<std::string> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  void clear() {
    std::lock_guard lock(mu_);
    calls_.clear();
  }
  size_t count(const std::string& call) {
    std::lock_guard lock(mu_);
    return size_t(std::count(calls_.begin(), calls_.end(), call));
  }

  Res<std::any> init(Role role, const SessionCacheInitArgs& args) override {
    std::string c = "init " + name(role);
    for (const auto& [k, v] : args) c += " " + k + "=" + v;
    note(c);
    auto inner = MemorySessionCache::init(role, args);
    if (!inner) return inner;
    return std::any(Ref{role, std::move(inner).value()});
  }
  void terminate(const std::any& c) override {
    note("terminate " + role(c));
    MemorySessionCache::terminate(inner(c));
  }
  std::optional<Session> lookup(const std::any& c, const SessionKey& k) override {
    note("lookup " + role(c) + " " + text(k.partial));
    return MemorySessionCache::lookup(inner(c), k);
  }
  void update(const std::any& c, const SessionKey& k, const Session& s) override {
    note("update " + role(c) + " " + text(k.partial));
    MemorySessionCache::update(inner(c), k, s);
  }
  void delete_(const std::any& c, const SessionKey& k) override {
    note("delete " + role(c) + " " + text(k.partial));
    MemorySessionCache::delete_(inner(c), k);
  }
  std::any foldl(const FoldFun& f, std::any acc, const std::any& c) override {
    note("foldl " + role(c));
    return MemorySessionCache::foldl(f, std::move(acc), inner(c));
  }
  std::vector<Session> select_session(const std::any& c, const PartialKey& p) override {
    note("select_session " + role(c) + " " + text(p));
    return MemorySessionCache::select_session(inner(c), p);
  }

 private:
  struct Ref {
    Role role;
    std::any inner;
  };
  static std::string name(Role r) { return r == Role::client ? "client" : "server"; }
  static std::string role(const std::any& c) { return name(std::any_cast<const Ref&>(c).role); }
  static const std::any& inner(const std::any& c) { return std::any_cast<const Ref&>(c).inner; }
  static std::string text(const PartialKey& p) { return p.host + ":" + std::to_string(p.port); }
  void note(std::string c) {
    std::lock_guard lock(mu_);
    calls_.push_back(std::move(c));
  }
  std::mutex mu_;
  std::vector<std::string> calls_;
};

TEST(Sessions, UserCacheGetsTheSpecCallbacks) {
  RestoreApp restore;
  auto rec = std::make_shared<Recorder>();
  AppConfig env;
  env.session_cb = rec;
  env.session_cb_init_args = {{"table", "tls"}, {"owner", "test"}};
  restart_with(env);
  // start(): init once per role, each followed by a count of what the cache already holds.
  EXPECT_EQ(rec->calls(), (std::vector<std::string>{"init client table=tls owner=test", "foldl client",
                                                    "init server table=tls owner=test", "foldl server"}));
  rec->clear();

  Options so = server_options();
  so.alert_timeout = 200;
  Server srv(so);
  const std::string client_key = "127.0.0.1:" + std::to_string(srv.ls.port());
  const std::string server_key = ":" + std::to_string(srv.ls.port());
  auto first = srv.connect_once();
  EXPECT_FALSE(first.client_info.resumed);
  EXPECT_EQ(rec->count("select_session client " + client_key), 1u);
  EXPECT_EQ(rec->count("lookup server " + server_key), 0u) << "no session id was offered";
  EXPECT_EQ(rec->count("update client " + client_key), 1u);
  EXPECT_EQ(rec->count("update server " + server_key), 1u);

  auto second = srv.connect_once();
  EXPECT_TRUE(second.client_info.resumed);
  EXPECT_EQ(rec->count("select_session client " + client_key), 2u);
  EXPECT_EQ(rec->count("lookup server " + server_key), 1u);
  EXPECT_EQ(rec->count("update client " + client_key), 1u) << "a resumed session is not stored again";

  // A forged record ends the resumed connection with a fatal alert: both sides delete the session.
  const uint8_t forged[5 + 48] = {23, 3, 3, 0, 48};
  ASSERT_EQ(::write(second.client.native_handle(), forged, sizeof forged), ssize_t(sizeof forged));
  auto got = second.server.recv(0, 5s);
  ASSERT_FALSE(got);
  EXPECT_TRUE(got.error().is_alert(AlertDescription::bad_record_mac)) << format_error(got.error());
  auto alerted = second.client.recv(0, 5s);
  ASSERT_FALSE(alerted);
  EXPECT_TRUE(alerted.error().is_alert(AlertDescription::bad_record_mac)) << format_error(alerted.error());
  EXPECT_EQ(rec->count("delete server " + server_key), 1u);
  EXPECT_EQ(rec->count("delete client " + client_key), 1u);
  EXPECT_FALSE(srv.connect_once().client_info.resumed) << "the session is gone";

  stop();
  EXPECT_EQ(rec->count("terminate client"), 1u);
  EXPECT_EQ(rec->count("terminate server"), 1u);
}

TEST(Sessions, InitErrorFailsStart) {
  RestoreApp restore;
  struct Refusing : MemorySessionCache {
    Res<std::any> init(Role, const SessionCacheInitArgs&) override { return fail(Error::other("no_disk")); }
  };
  AppConfig env;
  env.session_cb = std::make_shared<Refusing>();
  ASSERT_TRUE(set_app_config(env));
  stop();
  auto r = start();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "no_disk");
  auto c = connect("127.0.0.1", 1, client_options(), 1s, passive_binary());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().detail, "no_disk");
}

}  // namespace
}  // namespace essl::test

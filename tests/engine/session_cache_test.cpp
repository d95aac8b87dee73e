// Sessions: their byte encoding, the in-memory cache (ssl_session_cache), the store that applies
// session_lifetime and the maxima, and the engine's use of them (reuse_sessions, reuse_session, fatal
// alerts).
#include <atomic>
#include <thread>

#include "engine_test_util.hpp"
#include "statemachine/session_cache.hpp"

namespace essl::test {
namespace {

SessionState sample_state(uint8_t id_byte = 1) {
  SessionState s;
  s.id = std::vector<uint8_t>(32, id_byte);
  s.version = Version::tlsv1_1;
  s.cipher_suite = 0xc02f;
  s.master_secret = std::vector<uint8_t>(48, 0x4d);
  s.peer_certificates = {{1, 2, 3}, {4, 5}};
  s.sni = "example.com";
  s.verify_fingerprint = "verify_peer;depth=1";
  s.created_unix = 1234567890;
  return s;
}

Session session_of(const SessionState& s) { return Session(std::make_shared<const SessionState>(s)); }

SessionKey key(uint16_t port, uint8_t id_byte) {
  return SessionKey{PartialKey{"", port}, std::vector<uint8_t>(32, id_byte)};
}

// A clock the test moves by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(1000);
  SessionStore::Clock fn() const {
    return [n = now] { return n->load(); };
  }
};

// A memory cache whose init always returns the same table, so that a test can look inside the store.
class SharedTable : public MemorySessionCache {
 public:
  Res<std::any> init(Role role, const SessionCacheInitArgs& args) override {
    if (!table_.has_value()) table_ = MemorySessionCache::init(role, args).value();
    return table_;
  }
  const std::any& table() const { return table_; }
  size_t size() {
    return std::any_cast<size_t>(
        foldl([](const SessionKey&, const Session&, std::any n) { return std::any(std::any_cast<size_t>(n) + 1); },
              size_t(0), table_));
  }
  bool has(const SessionKey& k) { return lookup(table_, k).has_value(); }

 private:
  std::any table_;
};

std::shared_ptr<SessionStore> open_store(Role role, std::shared_ptr<SessionCacheCallback> cb, SessionLimits limits,
                                         const FakeClock& clock) {
  auto s = SessionStore::open(role, std::move(cb), {}, limits, clock.fn());
  EXPECT_TRUE(s.ok());
  return s.ok() ? s.value() : nullptr;
}

// ---- Session bytes

TEST(SessionBytes, RoundTrip) {
  const SessionState in = sample_state();
  auto out = Session::from_bytes(session_of(in).to_bytes());
  ASSERT_TRUE(out) << describe(out.error());
  const SessionState& s = *out->state();
  EXPECT_EQ(s.id, in.id);
  EXPECT_EQ(s.version, in.version);
  EXPECT_EQ(s.cipher_suite, in.cipher_suite);
  EXPECT_EQ(s.master_secret, in.master_secret);
  EXPECT_EQ(s.peer_certificates, in.peer_certificates);
  EXPECT_EQ(s.sni, in.sni);
  EXPECT_EQ(s.verify_fingerprint, in.verify_fingerprint);
  EXPECT_EQ(s.created_unix, in.created_unix);
  // Stable: the same session encodes to the same bytes.
  EXPECT_EQ(out->to_bytes(), session_of(in).to_bytes());
}

TEST(SessionBytes, RefusesWhatItDidNotWrite) {
  const std::vector<uint8_t> good = session_of(sample_state()).to_bytes();
  EXPECT_FALSE(Session::from_bytes({}));
  EXPECT_FALSE(Session::from_bytes(std::vector<uint8_t>{'n', 'o', 'p', 'e', 1}));
  std::vector<uint8_t> truncated(good.begin(), good.end() - 1);
  EXPECT_FALSE(Session::from_bytes(truncated));
  std::vector<uint8_t> trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(Session::from_bytes(trailing));
  std::vector<uint8_t> future = good;
  future[4] = 3;  // the format byte
  EXPECT_FALSE(Session::from_bytes(future));
  SessionState short_master = sample_state();
  short_master.master_secret.resize(47);
  EXPECT_FALSE(Session::from_bytes(session_of(short_master).to_bytes()));
}

// ---- MemorySessionCache (the callbacks themselves)

TEST(MemorySessionCache, Callbacks) {
  MemorySessionCache cb;
  auto a = cb.init(Role::server, {}).value();
  auto b = cb.init(Role::client, {}).value();
  cb.update(a, key(443, 1), session_of(sample_state(1)));
  cb.update(a, key(443, 2), session_of(sample_state(2)));
  cb.update(a, key(8443, 3), session_of(sample_state(3)));
  EXPECT_TRUE(cb.lookup(a, key(443, 1)));
  EXPECT_FALSE(cb.lookup(b, key(443, 1))) << "each init is its own table";
  EXPECT_FALSE(cb.lookup(a, key(443, 9)));
  EXPECT_EQ(cb.select_session(a, PartialKey{"", 443}).size(), 2u);
  EXPECT_EQ(cb.select_session(a, PartialKey{"", 8443}).size(), 1u);
  EXPECT_TRUE(cb.select_session(a, PartialKey{"", 1}).empty());
  auto ids = std::any_cast<std::vector<uint8_t>>(cb.foldl(
      [](const SessionKey& k, const Session&, std::any acc) {
        auto v = std::any_cast<std::vector<uint8_t>>(acc);
        v.push_back(k.session_id[0]);
        return std::any(v);
      },
      std::vector<uint8_t>{}, a));
  EXPECT_EQ(ids, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(std::any_cast<int>(cb.foldl([](const SessionKey&, const Session&, std::any acc) { return acc; }, 7, b)), 7)
      << "Acc0 when empty";
  cb.delete_(a, key(443, 1));
  EXPECT_FALSE(cb.lookup(a, key(443, 1)));
  cb.terminate(a);
  EXPECT_TRUE(cb.select_session(a, PartialKey{"", 443}).empty());
}

TEST(MemorySessionCache, ConcurrentUpdatesAndLookups) {
  MemorySessionCache cb;
  auto t = cb.init(Role::server, {}).value();
  constexpr int threads = 4, per_thread = 300;
  std::atomic<int> misses{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w)
    workers.emplace_back([&, w] {
      for (int i = 0; i < per_thread; ++i) {
        SessionKey k{PartialKey{"", uint16_t(w)}, {uint8_t(i), uint8_t(i >> 8)}};
        cb.update(t, k, session_of(sample_state()));
        if (!cb.lookup(t, k)) ++misses;
        (void)cb.select_session(t, k.partial);
        if (i % 3 == 0) cb.delete_(t, k);
      }
    });
  for (auto& w : workers) w.join();
  EXPECT_EQ(misses, 0);
  // Every third entry of each thread was deleted.
  size_t left = std::any_cast<size_t>(
      cb.foldl([](const SessionKey&, const Session&, std::any n) { return std::any(std::any_cast<size_t>(n) + 1); },
               size_t(0), t));
  EXPECT_EQ(left, size_t(threads * (per_thread - per_thread / 3)));
}

// ---- SessionStore: session_lifetime and the maxima

TEST(SessionStore, ExpiredSessionsAreNotReturnedAndAreDeleted) {
  FakeClock clock;
  auto table = std::make_shared<SharedTable>();
  auto store = open_store(Role::server, table, SessionLimits{10, 1000}, clock);
  store->update(key(443, 1), sample_state(1));
  EXPECT_TRUE(table->has(key(443, 1)));
  *clock.now = 1009;  // 9 s later: within a 10 s lifetime
  EXPECT_TRUE(store->lookup(key(443, 1)));
  *clock.now = 1010;  // valid while now - created < lifetime
  EXPECT_FALSE(store->lookup(key(443, 1)));
  EXPECT_FALSE(table->has(key(443, 1))) << "an expired session is deleted";
}

TEST(SessionStore, SelectSkipsExpiredAndGivesTheNewestFirst) {
  FakeClock clock;
  auto table = std::make_shared<SharedTable>();
  auto store = open_store(Role::client, table, SessionLimits{100, 1000}, clock);
  const PartialKey host{"example.com", 443};
  store->update(SessionKey{host, std::vector<uint8_t>(32, 1)}, sample_state(1));
  *clock.now = 1050;
  store->update(SessionKey{host, std::vector<uint8_t>(32, 2)}, sample_state(2));
  store->update(SessionKey{PartialKey{"other.com", 443}, std::vector<uint8_t>(32, 3)}, sample_state(3));
  auto both = store->select(host);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].id[0], 2) << "newest first";
  EXPECT_EQ(both[0].created_unix, 1050) << "stamped when stored";
  *clock.now = 1100;  // the first is 100 s old
  auto left = store->select(host);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].id[0], 2);
  EXPECT_EQ(table->size(), 2u);
}

TEST(SessionStore, ZeroLifetimeKeepsNothingResumable) {
  FakeClock clock;
  auto store = open_store(Role::server, std::make_shared<MemorySessionCache>(), SessionLimits{0, 1000}, clock);
  store->update(key(443, 1), sample_state(1));
  EXPECT_FALSE(store->lookup(key(443, 1)));
}

TEST(SessionStore, MaximumInvalidatesEveryEntry) {
  FakeClock clock;
  auto table = std::make_shared<SharedTable>();
  auto store = open_store(Role::server, table, SessionLimits{86400, 3}, clock);
  for (uint8_t i = 1; i <= 3; ++i) store->update(key(443, i), sample_state(i));
  for (uint8_t i = 1; i <= 3; ++i) EXPECT_TRUE(store->lookup(key(443, i))) << int(i);
  store->update(key(443, 4), sample_state(4));
  // "the current cache entries will be invalidated regardless of their remaining lifetime"
  for (uint8_t i = 1; i <= 3; ++i) EXPECT_FALSE(store->lookup(key(443, i))) << int(i);
  EXPECT_TRUE(store->lookup(key(443, 4)));
  EXPECT_EQ(table->size(), 1u);
}

TEST(SessionStore, ReplacingAnEntryDoesNotCountTowardsTheMaximum) {
  FakeClock clock;
  auto table = std::make_shared<SharedTable>();
  auto store = open_store(Role::server, table, SessionLimits{86400, 2}, clock);
  for (int i = 0; i < 5; ++i) store->update(key(443, 1), sample_state(1));
  store->update(key(443, 2), sample_state(2));
  EXPECT_TRUE(store->lookup(key(443, 1)));
  EXPECT_TRUE(store->lookup(key(443, 2)));
}

TEST(SessionStore, CountsTheEntriesAlreadyInTheCache) {
  // A persistent cache comes back with entries: they count towards the maximum.
  FakeClock clock;
  auto table = std::make_shared<SharedTable>();
  auto first = open_store(Role::server, table, SessionLimits{86400, 2}, clock);
  first->update(key(443, 1), sample_state(1));
  first->update(key(443, 2), sample_state(2));
  auto again = open_store(Role::server, table, SessionLimits{86400, 2}, clock);
  again->update(key(443, 3), sample_state(3));
  EXPECT_FALSE(table->has(key(443, 1)));
  EXPECT_FALSE(table->has(key(443, 2)));
  EXPECT_TRUE(table->has(key(443, 3)));
}

TEST(SessionStore, ConcurrentUpdatesAndLookups) {
  FakeClock clock;
  auto table = std::make_shared<SharedTable>();
  auto store = open_store(Role::client, table, SessionLimits{86400, 100000}, clock);
  constexpr int threads = 4, per_thread = 200;
  std::atomic<int> misses{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w)
    workers.emplace_back([&, w] {
      const PartialKey host{"host" + std::to_string(w), 443};
      for (int i = 0; i < per_thread; ++i) {
        SessionState s = sample_state();
        s.id = {uint8_t(i), uint8_t(i >> 8)};
        store->update(SessionKey{host, s.id}, s);
        if (!store->lookup(SessionKey{host, s.id})) ++misses;
        if (store->select(host).size() != size_t(i + 1)) ++misses;
      }
    });
  for (auto& w : workers) w.join();
  EXPECT_EQ(misses, 0);
  EXPECT_EQ(table->size(), size_t(threads * per_thread));
}

TEST(SessionStore, TerminateOnceThenNothing) {
  struct Counting : MemorySessionCache {
    int terminated = 0;
    void terminate(const std::any& c) override {
      ++terminated;
      MemorySessionCache::terminate(c);
    }
  };
  auto cb = std::make_shared<Counting>();
  FakeClock clock;
  auto store = open_store(Role::server, cb, {}, clock);
  store->update(key(443, 1), sample_state(1));
  store->terminate();
  store->terminate();
  EXPECT_EQ(cb->terminated, 1);
  EXPECT_FALSE(store->lookup(key(443, 1)));
  store->update(key(443, 2), sample_state(2));
  EXPECT_FALSE(store->lookup(key(443, 2)));
}

TEST(SessionStore, InitErrorIsReturned) {
  struct Refusing : MemorySessionCache {
    Res<std::any> init(Role, const SessionCacheInitArgs&) override { return fail(Error::other("no_disk")); }
  };
  auto s = SessionStore::open(Role::client, std::make_shared<Refusing>());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().detail, "no_disk");
}

// ---- The engine's use of the store

struct Stores {
  std::shared_ptr<SharedTable> client_table = std::make_shared<SharedTable>();
  std::shared_ptr<SharedTable> server_table = std::make_shared<SharedTable>();
  std::shared_ptr<SessionStore> client = SessionStore::open(Role::client, client_table).value();
  std::shared_ptr<SessionStore> server = SessionStore::open(Role::server, server_table).value();

  std::shared_ptr<const Config> client_config(const Options& o = {}) {
    auto c = Config::make(Role::client, o, client);
    EXPECT_TRUE(c) << describe(c.error());
    return c.value();
  }
  std::shared_ptr<const Config> server_config(Options o = server_options()) {
    auto c = Config::make(Role::server, o, server);
    EXPECT_TRUE(c) << describe(c.error());
    return c.value();
  }
};

// Runs a handshake; returns the client's view of it.
ConnectionInfo connect_once(std::shared_ptr<const Config> c, std::shared_ptr<const Config> s) {
  Pair p(std::move(c), std::move(s));
  p.handshake();
  EXPECT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_TRUE(p.server.handshake_done()) << describe(p.server.error());
  EXPECT_EQ(p.client.info().resumed, p.server.info().resumed);
  return p.client.info();
}

TEST(EngineSessions, ClientSelectsAndServerLooksUp) {
  Stores st;
  auto cc = st.client_config();
  auto sc = st.server_config();
  ConnectionInfo first = connect_once(cc, sc);
  EXPECT_FALSE(first.resumed);
  ASSERT_EQ(first.session_id.size(), 32u);
  // The spec's keys: client {{Host, Port}, Id} with the host and port it connected to, server {Port, Id}.
  EXPECT_TRUE(st.client_table->has(SessionKey{PartialKey{"localhost", 4433}, first.session_id}));
  EXPECT_TRUE(st.server_table->has(SessionKey{PartialKey{"", 0}, first.session_id}));
  ConnectionInfo second = connect_once(cc, sc);
  EXPECT_TRUE(second.resumed);
  EXPECT_EQ(second.session_id, first.session_id);
}

TEST(EngineSessions, ServerWithoutReuseSessionsNeitherCachesNorResumes) {
  Stores st;
  Options so = server_options();
  so.reuse_sessions = false;
  auto cc = st.client_config();
  auto sc = st.server_config(so);
  ConnectionInfo first = connect_once(cc, sc);
  EXPECT_TRUE(first.session_id.empty()) << "an empty session id: nothing to resume";
  EXPECT_FALSE(connect_once(cc, sc).resumed);
  EXPECT_EQ(st.server_table->size(), 0u);
  EXPECT_EQ(st.client_table->size(), 0u);
}

TEST(EngineSessions, ServerWithoutReuseSessionsRefusesACachedSession) {
  Stores st;
  auto cc = st.client_config();
  ConnectionInfo first = connect_once(cc, st.server_config());
  Options so = server_options();
  so.reuse_sessions = false;
  ConnectionInfo second = connect_once(cc, st.server_config(so));
  EXPECT_FALSE(second.resumed);
  EXPECT_TRUE(st.server_table->has(SessionKey{PartialKey{}, first.session_id})) << "still there for other listeners";
}

TEST(EngineSessions, ClientWithoutReuseSessionsOffersNone) {
  Stores st;
  Options co;
  co.reuse_sessions = false;
  auto sc = st.server_config();
  ConnectionInfo first = connect_once(st.client_config(), sc);  // caches a session for localhost:4433
  Pair p(st.client_config(co), sc);
  p.client.start();
  codec::Bytes hello = take_output(p.client);
  // record header (5), handshake header (4), client_version (2), random (32), then the session id length.
  ASSERT_GT(hello.size(), 43u);
  EXPECT_EQ(hello[43], 0) << "no session id offered";
  p.server.feed(hello);
  p.pump();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_FALSE(p.client.info().resumed);
  EXPECT_EQ(st.client_table->size(), 1u) << "and caches nothing new";
}

TEST(EngineSessions, ReuseSessionFunDecides) {
  Stores st;
  struct Call {
    std::vector<uint8_t> id, cert;
    uint8_t compression = 9;
    SuiteSpec suite{};
  };
  auto calls = std::make_shared<std::vector<Call>>();
  auto allow = std::make_shared<bool>(false);
  Options so = server_options();
  so.reuse_session = [calls, allow](std::span<const uint8_t> id, std::span<const uint8_t> cert, uint8_t compression,
                                    const SuiteSpec& suite) {
    calls->push_back(Call{{id.begin(), id.end()}, {cert.begin(), cert.end()}, compression, suite});
    return *allow;
  };
  auto cc = st.client_config();
  auto sc = st.server_config(so);
  ConnectionInfo first = connect_once(cc, sc);
  EXPECT_TRUE(calls->empty()) << "asked only about a session to resume";
  ConnectionInfo refused = connect_once(cc, sc);
  EXPECT_FALSE(refused.resumed);
  ASSERT_EQ(calls->size(), 1u);
  EXPECT_EQ(calls->at(0).id, first.session_id);
  EXPECT_TRUE(calls->at(0).cert.empty()) << "the client sent no certificate";
  EXPECT_EQ(calls->at(0).compression, 0);
  EXPECT_EQ(calls->at(0).suite, *first.cipher_suite);
  *allow = true;
  ConnectionInfo resumed = connect_once(cc, sc);
  EXPECT_TRUE(resumed.resumed);
  EXPECT_TRUE(resumed.session_id == refused.session_id || resumed.session_id == first.session_id);
  EXPECT_EQ(calls->size(), 2u);
}

TEST(EngineSessions, ReuseSessionFunIsNotAskedWithoutReuseSessions) {
  Stores st;
  bool asked = false;
  Options so = server_options();
  so.reuse_sessions = false;
  so.reuse_session = [&](std::span<const uint8_t>, std::span<const uint8_t>, uint8_t, const SuiteSpec&) {
    asked = true;
    return true;
  };
  auto cc = st.client_config();
  (void)connect_once(cc, st.server_config());
  EXPECT_FALSE(connect_once(cc, st.server_config(so)).resumed);
  EXPECT_FALSE(asked);
}

TEST(EngineSessions, AFatalAlertForgetsTheSessionOnBothSides) {
  Stores st;
  auto cc = st.client_config();
  auto sc = st.server_config();
  ConnectionInfo first = connect_once(cc, sc);
  Pair p(cc, sc);
  p.handshake();
  ASSERT_TRUE(p.client.info().resumed);
  ASSERT_EQ(st.client_table->size(), 1u);
  ASSERT_EQ(st.server_table->size(), 1u);
  // An application data record that fails its MAC check: bad_record_mac from the server.
  codec::Bytes forged = {23, 3, 3, 0, 48};
  forged.resize(5 + 48, 0);
  p.server.feed(forged);
  expect_sent(p.server, AlertDescription::bad_record_mac);
  p.pump();
  expect_received(p.client, AlertDescription::bad_record_mac);
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.2.2
  //# Thus, any connection terminated with a fatal alert MUST NOT be resumed.
  EXPECT_EQ(st.server_table->size(), 0u);
  EXPECT_EQ(st.client_table->size(), 0u);
  EXPECT_FALSE(connect_once(cc, sc).resumed);
  (void)first;
}

TEST(EngineSessions, OtherOwnCertificateIsNotResumed) {
  Stores st;
  auto cc = st.client_config();
  (void)connect_once(cc, st.server_config(server_options("server-rsa")));
  // The same listen port with another certificate: the client would keep the old certificate as the peer's.
  EXPECT_FALSE(connect_once(cc, st.server_config(server_options("server-ecdsa"))).resumed);
}

}  // namespace
}  // namespace essl::test

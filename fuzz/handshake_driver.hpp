// Whole handshakes in memory, replayable one message at a time: what the per-state fuzz targets
// (fuzz/table_state.cpp) and the accepted-path properties (props/table_paths_props.cpp) put engines in
// a chosen state with.
//
// A Scenario fixes both sides' options (suite, version, client authentication, resumption,
// renegotiation). record() runs a whole handshake between a client and a server Engine with
// deterministic RNGs, session caches and clocks (for a resumption, a full handshake first); with a
// renegotiation, one side then asks for a new handshake (the client's renegotiate(), or the server's
// HelloRequest), which runs under the first handshake's keys; then "hello" goes each way. It splits what
// each side received into units: one handshake message, ChangeCipherSpec, alert or application-data
// record each, in plaintext, and the user's renegotiate() where the side called it. Each completed
// handshake is a key epoch: its master secret is the session the client's cache holds under the
// handshake's session id, so a Feeder can protect units again under the keys of the epoch in force,
// switching at each of the peer's ChangeCipherSpecs, as the peer did.
// record() then replays each side from a fresh engine (same seed, same configuration, caches reset)
// fed one unit at a time, checks that it ends in `connection` with the data delivered, and records the
// state and the table's flags after each unit (the trace). Anything else is a bug in the engine's
// determinism: abort.
#pragma once
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "codecs/record.hpp"
#include "fuzz/engine_fuzz.hpp"
#include "crypto_glue/prf.hpp"
#include "crypto_glue/record_protection.hpp"
#include "crypto_glue/srp.hpp"
#include "statemachine/engine.hpp"
#include "statemachine/session_cache.hpp"
#include "statemachine/table.hpp"

namespace essl::fuzz {

using codec::Bytes;
using codec::ByteView;
using codec::ContentType;

// Who starts a renegotiation once the first handshake is done (none: one handshake).
enum class Renegotiate : uint8_t { none, client_initiated, server_initiated };

struct Scenario {
  std::string name;
  std::string suite;              // Erlang-style name (include/essl/suites.hpp)
  Version version;
  bool server_verify = false;     // the server sends CertificateRequest (verify_peer, the test CA)
  bool fail_if_no_peer_cert = false;
  bool client_cert = false;       // the client has a certificate to send when asked
  bool resume = false;            // a full handshake first; the abbreviated one is captured
  bool npn = false;               // Next Protocol Negotiation: the server advertises, the client chooses
  bool psk_hint = false;          // PSK suites: the server sends an identity hint (a ServerKeyExchange)
  Renegotiate renegotiate = Renegotiate::none;  // then a second, full handshake under the first's keys
};

// The configurations the per-state fuzz targets prepare engines with: together they take each role
// through every state of the table and every guard (ServerKeyExchange or not, CertificateRequest with
// or without ServerKeyExchange, an anonymous ServerKeyExchange without Certificate, a client certificate
// or an empty one, resumption, NextProtocol), and, renegotiating, through every state of a full
// handshake with client authentication (each role asking once). The renegotiating scenarios resume a
// session first: an abbreviated first handshake, like the resumption scenarios', so that an engine in
// the renegotiation costs about what one in a first full handshake does to prepare.
inline const std::vector<Scenario>& fuzz_scenarios() {
  static const auto* s = new std::vector<Scenario>{
      {"ecdhe", "ecdhe_rsa_aes_128_gcm_sha256", Version::tlsv1_2},
      {"rsa", "rsa_aes_128_cbc_sha", Version::tlsv1_1},
      {"dhe", "dhe_rsa_aes_256_cbc_sha", Version::tlsv1},
      {"ecdhe_client_auth", "ecdhe_rsa_aes_256_gcm_sha384", Version::tlsv1_2, true, true, true},
      {"rsa_client_auth", "rsa_aes_128_gcm_sha256", Version::tlsv1_2, true, false, true},
      {"ecdhe_empty_client_cert", "ecdhe_rsa_aes_128_cbc_sha", Version::tlsv1_2, true, false, false},
      {"resume_ecdhe", "ecdhe_rsa_aes_128_gcm_sha256", Version::tlsv1_2, false, false, false, true},
      {"resume_rsa", "rsa_aes_128_cbc_sha", Version::tlsv1, true, false, true, true},
      {"ecdhe_npn", "ecdhe_rsa_aes_128_cbc_sha256", Version::tlsv1_2, false, false, false, false, true},
      {"resume_npn", "rsa_aes_256_gcm_sha384", Version::tlsv1_2, false, false, false, true, true},
      {"ecdh_anon", "ecdh_anon_aes_128_cbc_sha", Version::tlsv1_2},
      {"psk", "psk_aes_128_cbc_sha", Version::tlsv1_2},
      {"rsa_psk_hint", "rsa_psk_aes_256_cbc_sha", Version::tlsv1_1, false, false, false, false, false, true},
      {"srp_rsa", "srp_rsa_aes_128_cbc_sha", Version::tlsv1_2},
      {"reneg_ecdhe_client_auth", "ecdhe_rsa_aes_256_gcm_sha384", Version::tlsv1_2, true, true, true, true, false,
       false, Renegotiate::client_initiated},
      {"reneg_hello_request_rsa", "rsa_aes_128_cbc_sha", Version::tlsv1_1, false, false, false, true, false, false,
       Renegotiate::server_initiated},
  };
  return *s;
}

[[noreturn]] inline void driver_bug(const std::string& what) {
  std::fprintf(stderr, "handshake driver: %s\n", what.c_str());
  std::abort();
}

// The handshake type of a table message (none for ChangeCipherSpec and application data).
inline std::optional<codec::HandshakeType> handshake_type(table::Msg m) {
  using HT = codec::HandshakeType;
  static constexpr std::pair<std::string_view, HT> types[] = {
      {"hello_request", HT::hello_request},
      {"client_hello", HT::client_hello},
      {"server_hello", HT::server_hello},
      {"certificate", HT::certificate},
      {"server_key_exchange", HT::server_key_exchange},
      {"certificate_request", HT::certificate_request},
      {"server_hello_done", HT::server_hello_done},
      {"certificate_verify", HT::certificate_verify},
      {"client_key_exchange", HT::client_key_exchange},
      {"next_protocol", HT::next_protocol},
      {"finished", HT::finished},
  };
  for (const auto& [name, t] : types)
    if (table::msg_name(m) == name) return t;
  return std::nullopt;
}

// Every message of the table, in its order (application data is the last).
inline constexpr size_t table_msg_count = size_t(table::Msg::application_data) + 1;

inline std::optional<table::Msg> table_msg(codec::HandshakeType t) {
  for (size_t i = 0; i < table_msg_count; ++i)
    if (handshake_type(table::Msg(i)) == t) return table::Msg(i);
  return std::nullopt;
}

// One message as the peer sent it, or the user's renegotiate() (`local`: no bytes).
struct Unit {
  ContentType type;
  uint16_t version;  // of the record that carried it
  Bytes payload;     // handshake: header and body; otherwise the record's plaintext
  bool local = false;
  std::optional<table::Msg> msg() const {
    if (local) return table::Msg::renegotiate;
    if (type == ContentType::change_cipher_spec) return table::Msg::change_cipher_spec;
    if (type == ContentType::application_data) return table::Msg::application_data;
    if (type == ContentType::handshake && !payload.empty()) return table_msg(codec::HandshakeType(payload[0]));
    return std::nullopt;
  }
  ByteView body() const {
    return type == ContentType::handshake ? ByteView(payload).subspan(codec::handshake_header_size) : ByteView(payload);
  }
};

// The unit carrying message `m` with `body`.
inline Unit make_unit(table::Msg m, ByteView body, uint16_t version) {
  Unit u{ContentType::handshake, version, {}, false};
  if (auto t = handshake_type(m)) {
    codec::Writer w(u.payload);
    codec::encode_handshake(*t, body, w);
  } else {
    u.type = m == table::Msg::change_cipher_spec ? ContentType::change_cipher_spec : ContentType::application_data;
    u.payload.assign(body.begin(), body.end());
  }
  return u;
}

// A deterministic RNG that starts over on reset(), so one Config serves every replay.
class SeededRng final : public crypto::Rng {
 public:
  explicit SeededRng(uint64_t seed) : seed_(seed) { reset(); }
  void reset() { inner_ = crypto::deterministic_rng(seed_); }
  void fill(std::span<uint8_t> out) override { inner_->fill(out); }

 private:
  uint64_t seed_;
  std::unique_ptr<crypto::Rng> inner_;
};

// A session cache that starts over on reset(), holding only the session given to it (if any).
class ResetCache final : public SessionCacheCallback {
 public:
  void set_initial(SessionKey key, const SessionState& s) {
    initial_ = {std::move(key), Session(std::make_shared<const SessionState>(s))};
  }
  void reset() {
    table_ = inner_.init(Role::client, {}).value();
    if (initial_) inner_.update(table_, initial_->first, initial_->second);
  }
  Res<std::any> init(Role, const SessionCacheInitArgs&) override { return std::any{}; }
  void terminate(const std::any&) override {}
  std::optional<Session> lookup(const std::any&, const SessionKey& k) override { return inner_.lookup(table_, k); }
  void update(const std::any&, const SessionKey& k, const Session& s) override { inner_.update(table_, k, s); }
  void delete_(const std::any&, const SessionKey& k) override { inner_.delete_(table_, k); }
  std::any foldl(const FoldFun& f, std::any acc, const std::any&) override {
    return inner_.foldl(f, std::move(acc), table_);
  }
  std::vector<Session> select_session(const std::any&, const PartialKey& p) override {
    return inner_.select_session(table_, p);
  }

 private:
  MemorySessionCache inner_;
  std::any table_ = inner_.init(Role::client, {}).value();
  std::optional<std::pair<SessionKey, Session>> initial_;
};

// The keys of the engines below (PeerId{"localhost", 443}, no listen port).
inline const PartialKey client_partial_key{"localhost", 443};
inline const PartialKey server_partial_key{};

// One role's fixed configuration. Not copyable: the Config points at the RNG and the cache.
struct Side {
  Role role;
  uint64_t seed;
  std::unique_ptr<SeededRng> rng;
  std::shared_ptr<ResetCache> cache;
  std::shared_ptr<SessionStore> store;  // over `cache`
  std::shared_ptr<const Config> cfg;

  // A fresh engine, started, as the first run of this side began.
  std::unique_ptr<Engine> start() const {
    rng->reset();
    cache->reset();
    auto e = std::make_unique<Engine>(cfg, PeerId{"localhost", 443});
    e->start();
    return e;
  }
};

inline Side make_side(const Scenario& sc, Role role) {
  Side s{role, role == Role::client ? client_seed : server_seed, nullptr, std::make_shared<ResetCache>(), nullptr,
         nullptr};
  s.store = SessionStore::open(role, s.cache).value();
  s.rng = std::make_unique<SeededRng>(s.seed);
  const SuiteInfo* suite = find_suite_by_name(sc.suite);
  if (!suite) driver_bug("unknown suite " + sc.suite);
  Options o;
  o.versions = {sc.version};
  o.ciphers = std::vector<SuiteSpec>{suite->spec};
  // PSK suites: one shared key for every identity; the client presents "client", the server's hint
  // is "server". SRP suites: the user "client" with the password "fuzz" (srp_1024, for speed).
  o.user_lookup_fun = UserLookupFun{[](LookupKind kind, const std::optional<std::string>&, const std::any&) {
                                      if (kind == LookupKind::psk) return LookupResult{std::vector<uint8_t>(16, 0x5a)};
                                      const std::vector<uint8_t> salt(8, 0x33);
                                      const Bytes x = crypto::srp_derived_key("client", "fuzz", salt);
                                      return LookupResult{SrpLookup{SrpParam::srp_1024, salt, {x.begin(), x.end()}}};
                                    },
                                    {}};
  if (role == Role::client) o.srp_identity = std::make_pair(std::string("client"), std::string("fuzz"));
  if (role == Role::client) o.psk_identity = "client";
  else if (sc.psk_hint) o.psk_identity = "server";
  if (role == Role::server) {
    // fuzz/data's 1024-bit server key and the 1024-bit DH group: the key exchange runs on every input
    // that reaches it.
    o.certfile = source_file_path("/fuzz/data/server.pem");
    o.keyfile = source_file_path("/fuzz/data/server-key.pem");
    o.dhfile = source_file_path("/tests/data/dh1024.pem");
    if (sc.server_verify) {
      o.verify = Verify::verify_peer;
      o.cacertfile = source_file_path("/fuzz/data/ca.pem");
      o.fail_if_no_peer_cert = sc.fail_if_no_peer_cert;
    }
    if (sc.npn) o.next_protocols_advertised = std::vector<std::string>{"spdy/3", "http/1.1"};
  } else {
    // fuzz/data's small PKI: the server validates this chain on every input that passes the client's
    // Certificate (fuzz/data/make-certs.sh).
    if (sc.client_cert) {
      o.certfile = source_file_path("/fuzz/data/client.pem");
      o.keyfile = source_file_path("/fuzz/data/client-key.pem");
    }
    if (sc.npn) o.client_preferred_next_protocols = NextProtocolPreference{NextProtocolPreference::Precedence::client, {"http/1.1"}, "http/1.1"};
  }
  auto c = Config::make(role, o, s.store);
  if (!c) driver_bug(sc.name + ": config: " + c.error().detail);
  auto cfg = std::make_shared<Config>(*c.value());
  cfg->rng = s.rng.get();
  // A clock that stands still: the server's rate limit on client renegotiation decides alike every run
  // (a second ClientHello after a client-initiated renegotiation is refused).
  cfg->now_ms = [] { return int64_t(0); };
  s.cfg = std::move(cfg);
  return s;
}

// The keys of one completed handshake.
struct Epoch {
  Bytes master, key_block;
  bool encrypt_then_mac = false;  // negotiated (RFC 7366): how the protected units are framed
  codec::Random client_random{}, server_random{};
};

struct Recording {
  Scenario sc;
  Side side[2];                           // by int(Role)
  std::vector<Unit> units[2];             // what each role received, in order
  std::vector<std::string> trace[2];      // trace[r][i]: r's state after its first i units
  std::vector<table::Flags> flags[2];     // flags[r][i]: the table's flags then (Engine::table_flags)
  // renegotiation[r]: the index of r's first unit of the renegotiation (the user's renegotiate(), the
  // HelloRequest or the second ClientHello); units[r].size() without one.
  size_t renegotiation[2] = {0, 0};
  Version version{};
  const SuiteInfo* suite = nullptr;
  std::vector<Epoch> epochs;              // one per completed handshake, in order

  const Side& of(Role r) const { return side[int(r)]; }
  const std::vector<Unit>& to(Role r) const { return units[int(r)]; }
  // How many units take `r` to `state` (0: it starts there); nullopt if this handshake does not pass it.
  std::optional<size_t> prefix_to(Role r, std::string_view state) const {
    const auto& t = trace[int(r)];
    for (size_t i = 0; i < t.size(); ++i)
      if (t[i] == state) return i;
    return std::nullopt;
  }
};

// The record protection `sender` writes with after its ChangeCipherSpec in `epoch` (RFC 5246 6.3: the
// key block is client MAC key, server MAC key, client key, server key, client IV, server IV).
inline std::unique_ptr<crypto::RecordProtection> write_state(const Recording& cap, Role sender, size_t epoch) {
  const crypto::KeyLengths kl = crypto::key_lengths(cap.version, cap.suite->spec);
  const ByteView kb(cap.epochs.at(epoch).key_block);
  const size_t own = sender == Role::client ? 0 : 1;
  auto p = crypto::make_record_protection(cap.version, cap.suite->spec, kb.subspan(own * kl.mac_key, kl.mac_key),
                                          kb.subspan(2 * kl.mac_key + own * kl.enc_key, kl.enc_key),
                                          kb.subspan(2 * (kl.mac_key + kl.enc_key) + own * kl.iv, kl.iv),
                                          cap.of(sender).cfg->options.padding_check,
                                          cap.epochs.at(epoch).encrypt_then_mac);
  if (!p) driver_bug(cap.sc.name + ": record protection");
  return p;
}

// Plays the peer of `target`: frames units as records, protected once the peer's ChangeCipherSpec has
// been passed on, under the keys of the handshake that ChangeCipherSpec ended (the n-th under the n-th
// epoch's; one past the last under the last's); passes the user's renegotiate() on.
class Feeder {
 public:
  Feeder(const Recording& cap, Role target) : cap_(cap), peer_(target == Role::client ? Role::server : Role::client) {}

  void reset() {
    write_.reset();
    seq_ = 0;
    ccs_ = 0;
    rng_ = crypto::deterministic_rng(3);
  }
  bool protecting() const { return write_ != nullptr; }

  // The records carrying `payload` (at most 2^14 bytes each; an empty payload is one empty record).
  Bytes records(ContentType type, uint16_t version, ByteView payload) {
    if (!rng_) reset();
    Bytes out;
    size_t at = 0;
    do {
      const ByteView frag = payload.subspan(at, std::min(codec::max_plaintext, payload.size() - at));
      at += frag.size();
      Bytes body;
      if (write_)
        write_->protect(uint8_t(type), version, seq_++, frag, body, *rng_);
      else
        body.assign(frag.begin(), frag.end());
      codec::Writer w(out);
      codec::encode_record_header({type, version, uint16_t(body.size())}, w);
      out.insert(out.end(), body.begin(), body.end());
    } while (at < payload.size());
    return out;
  }

  void feed(Engine& e, const Unit& u) {
    if (u.local) {
      (void)e.renegotiate();
      return;
    }
    e.feed(records(u.type, u.version, u.payload));
    if (u.type == ContentType::change_cipher_spec) {
      write_ = write_state(cap_, peer_, std::min(ccs_++, cap_.epochs.size() - 1));
      seq_ = 0;
    }
  }

 private:
  const Recording& cap_;
  Role peer_;
  std::unique_ptr<crypto::RecordProtection> write_;
  uint64_t seq_ = 0;
  size_t ccs_ = 0;  // the peer's ChangeCipherSpecs passed on
  std::unique_ptr<crypto::Rng> rng_;
};

// Splits the bytes `receiver` got into units, opening records after the sender's ChangeCipherSpec
// under the keys of the epoch it began; `local_at`: where in the stream the receiver called
// renegotiate() (at a record boundary), if it did.
inline std::vector<Unit> split_units(const Recording& cap, Role receiver, const Bytes& stream,
                                     std::optional<size_t> local_at) {
  const Role sender = receiver == Role::client ? Role::server : Role::client;
  std::vector<Unit> units;
  std::unique_ptr<crypto::RecordProtection> read;
  uint64_t seq = 0;
  size_t epoch = 0;
  Bytes hs;  // handshake bytes not yet a whole message
  uint16_t hs_version = 0;
  Bytes buf = stream;
  size_t at = 0;
  while (true) {
    if (local_at == at && hs.empty()) {
      units.push_back({ContentType::handshake, 0, {}, true});
      local_at.reset();
    }
    if (buf.size() - at < codec::record_header_size) break;
    auto h = codec::decode_record_header(ByteView(buf).subspan(at, codec::record_header_size));
    if (!h || buf.size() - at - codec::record_header_size < h->length) driver_bug(cap.sc.name + ": bad record");
    std::span<uint8_t> frag(buf.data() + at + codec::record_header_size, h->length);
    at += codec::record_header_size + h->length;
    if (read) {
      auto p = read->unprotect(uint8_t(h->type), h->version, seq++, frag);
      if (!p) driver_bug(cap.sc.name + ": cannot open a captured record");
      frag = p.value();
    }
    if (h->type != ContentType::handshake) {
      units.push_back({h->type, h->version, Bytes(frag.begin(), frag.end()), false});
      if (h->type == ContentType::change_cipher_spec) {
        read = write_state(cap, sender, epoch++);
        seq = 0;
      }
      continue;
    }
    if (hs.empty()) hs_version = h->version;
    hs.insert(hs.end(), frag.begin(), frag.end());
    while (hs.size() >= codec::handshake_header_size) {
      const size_t n = codec::handshake_header_size + (size_t(hs[1]) << 16 | size_t(hs[2]) << 8 | hs[3]);
      if (hs.size() < n) break;
      units.push_back({ContentType::handshake, hs_version, Bytes(hs.begin(), hs.begin() + ptrdiff_t(n)), false});
      hs.erase(hs.begin(), hs.begin() + ptrdiff_t(n));
    }
  }
  if (at != buf.size() || !hs.empty() || local_at) driver_bug(cap.sc.name + ": partial record or message");
  return units;
}

inline const uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};

// What a run of both sides produced: the bytes each got, where in them each called renegotiate(), and
// each completed handshake's parameters as the client saw them (with the session it made or resumed).
struct Run {
  Bytes got[2];
  std::optional<size_t> local_at[2];
  std::vector<ConnectionInfo> handshakes;
};

// Moves whole flights between the two engines until neither has anything to send.
inline void pump(Engine* const e[2], Run& run) {
  for (int round = 0; round < 32; ++round) {
    bool moved = false;
    for (int from = 0; from < 2; ++from) {
      const ByteView out = e[from]->pending_output();
      if (out.empty()) continue;
      run.got[1 - from].insert(run.got[1 - from].end(), out.begin(), out.end());
      const Bytes copy(out.begin(), out.end());
      e[from]->consume_output(copy.size());
      e[1 - from]->feed(copy);
      moved = true;
    }
    if (!moved) return;
  }
}

// Client and server to `connection` (with a renegotiation, through the second handshake), whole
// flights at a time, then "hello" each way. (No data between the handshakes: a side's replay would
// have to write it too, as the record IVs it draws from the RNG come before the second handshake's
// randoms.)
inline Run run_pair(const Recording& cap) {
  auto c = cap.of(Role::client).start();
  auto s = cap.of(Role::server).start();
  Engine* const e[2] = {c.get(), s.get()};
  Run run;
  const uint32_t handshakes = cap.sc.renegotiate == Renegotiate::none ? 1 : 2;
  for (uint32_t n = 1; n <= handshakes; ++n) {
    if (n > 1) {
      Engine& asks = cap.sc.renegotiate == Renegotiate::client_initiated ? *c : *s;
      const int role = &asks == c.get() ? 0 : 1;
      run.local_at[role] = run.got[role].size();
      if (!asks.renegotiate()) driver_bug(cap.sc.name + ": renegotiate() refused");
    }
    pump(e, run);
    for (Engine* x : e)
      if (x->error() || x->handshakes_completed() != n)
        driver_bug(cap.sc.name + ": the in-memory handshake failed: " +
                   (x->error() ? x->error()->detail : "incomplete"));
    run.handshakes.push_back(c->info());
  }
  (void)c->send(hello);
  (void)s->send(hello);
  pump(e, run);
  return run;
}

inline std::unique_ptr<Recording> record(const Scenario& sc) {
  auto cap = std::make_unique<Recording>();
  cap->sc = sc;
  cap->side[0] = make_side(sc, Role::client);
  cap->side[1] = make_side(sc, Role::server);
  if (sc.resume) {
    run_pair(*cap);
    // Both sides keep the session the full handshake made.
    auto cs = cap->side[0].store->select(client_partial_key);
    if (cs.empty()) driver_bug(sc.name + ": no session to resume");
    auto ss = cap->side[1].store->lookup(SessionKey{server_partial_key, cs.front().id});
    if (!ss) driver_bug(sc.name + ": the server kept no session");
    cap->side[0].cache->set_initial(SessionKey{client_partial_key, cs.front().id}, cs.front());
    cap->side[1].cache->set_initial(SessionKey{server_partial_key, ss->id}, *ss);
  }
  const Run run = run_pair(*cap);
  for (const ConnectionInfo& info : run.handshakes) {
    if (!info.protocol || !info.cipher_suite || info.client_random.size() != 32 || info.server_random.size() != 32)
      driver_bug(sc.name + ": no negotiated parameters");
    cap->version = *info.protocol;
    cap->suite = find_suite(*info.cipher_suite);
    Epoch ep;
    ep.encrypt_then_mac = info.encrypt_then_mac;
    std::copy_n(info.client_random.begin(), 32, ep.client_random.begin());
    std::copy_n(info.server_random.begin(), 32, ep.server_random.begin());
    auto session = cap->side[0].store->lookup(SessionKey{client_partial_key, info.session_id});
    if (!session) driver_bug(sc.name + ": the client kept no session");
    ep.master = session->master_secret;
    const crypto::KeyLengths kl = crypto::key_lengths(cap->version, cap->suite->spec);
    const size_t total = 2 * (kl.mac_key + kl.enc_key + kl.iv);
    ep.key_block = crypto::key_block(cap->version, crypto::prf_hash(cap->version, cap->suite->spec), ep.master,
                                     ep.client_random, ep.server_random, total);
    if (ep.key_block.size() != total) driver_bug(sc.name + ": key block");
    cap->epochs.push_back(std::move(ep));
  }
  for (Role r : {Role::client, Role::server})
    cap->units[int(r)] = split_units(*cap, r, run.got[int(r)], run.local_at[int(r)]);
  // Replay each side alone, one unit at a time.
  for (Role r : {Role::client, Role::server}) {
    auto e = cap->of(r).start();
    Feeder f(*cap, r);
    auto& trace = cap->trace[int(r)];
    auto& flags = cap->flags[int(r)];
    trace.push_back(std::string(e->state_id()));
    flags.push_back(e->table_flags());
    const auto& units = cap->to(r);
    cap->renegotiation[int(r)] = units.size();
    for (size_t i = 0; i < units.size(); ++i) {
      f.feed(*e, units[i]);
      if (e->error())
        driver_bug(sc.name + ": replay failed at unit " + std::to_string(i) + " in " + trace.back() + ": " +
                   e->error()->detail + " (" + std::string(alert_atom(e->error()->alert)) + ")");
      // The renegotiation's first unit: the one that starts it (renegotiate(), HelloRequest, the second
      // ClientHello), or the one a server asking for it answers (its HelloRequest out).
      if (cap->renegotiation[int(r)] == units.size() && e->renegotiating())
        cap->renegotiation[int(r)] = i;
      trace.push_back(std::string(e->state_id()));
      flags.push_back(e->table_flags());
    }
    const ByteView data = e->app_data();
    if (e->handshakes_completed() != run.handshakes.size() ||
        !std::equal(data.begin(), data.end(), std::begin(hello), std::end(hello)))
      driver_bug(sc.name + ": the replay did not reach `connection` with the data");
    if ((sc.renegotiate == Renegotiate::none) != (cap->renegotiation[int(r)] == units.size()))
      driver_bug(sc.name + ": the replay's renegotiation did not start where the recording's did");
  }
  return cap;
}

// Captures made once per process (never destroyed: Botan's statics may go first at exit).
inline const Recording& recording(const Scenario& sc) {
  static auto& cache = *new std::map<std::string, std::unique_ptr<Recording>>;
  const std::string key = sc.name + "/" + sc.suite + "/" + std::to_string(int(sc.version)) +
                          (sc.server_verify ? "/v" : "") + (sc.fail_if_no_peer_cert ? "/f" : "") +
                          (sc.client_cert ? "/c" : "") + (sc.resume ? "/r" : "") + (sc.npn ? "/n" : "") +
                          (sc.psk_hint ? "/h" : "") + "/g" + std::to_string(int(sc.renegotiate));
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, record(sc)).first;
  return *it->second;
}

}  // namespace essl::fuzz

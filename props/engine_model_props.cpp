// Model-based test of a connected Engine pair in memory.
//
// A client and a server engine (tests/data certificates, deterministic RNGs, RSA key exchange so that the
// test can recover the keys from the captured ClientKeyExchange) finish a handshake; then random commands
// run against both engines and a simple model: send N bytes from either side, deliver part or all of
// what is in flight either way, consume received data, close either side, inject a peer alert (warning,
// fatal, or with an illegal level) or a garbage record.
//
// Between the engines sits a proxy holding each direction's keys. It opens every record a side emits
// (which checks that side's output: application data equal to what its user sent, in order; a fatal
// alert only with the error the side reports) and seals it again with its own sequence numbers, so that
// records can be injected anywhere in the stream. The model applies each record to the receiver once
// its last byte is delivered:
//   - data arrives in order, never lost or duplicated: what the receiver handed out plus what it holds
//     equals the data of the records delivered to it;
//   - after close_notify nothing more is delivered and the receiver answers with its own close_notify;
//   - a fatal alert sets error() to {tls_alert, that alert, received} and it never changes again; a
//     garbage record makes the receiver send a fatal alert (bad_record_mac for a well-framed record);
//   - warnings other than close_notify are passed over, up to ten in a row;
//   - send() fails with the sticky error, or with `closed` after close().
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <ostream>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/kex.hpp"
#include "crypto_glue/prf.hpp"
#include "crypto_glue/record_protection.hpp"
#include "props/record_keys.hpp"
#include "statemachine/engine.hpp"

namespace essl {
namespace {

using codec::ByteView;
using codec::Bytes;

std::string data_path(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The versions and RSA key-exchange suites the property draws from (AEAD, CBC with explicit IVs, and
// TLS 1.0's chained CBC IV).
struct Variant {
  Version version;
  const char* suite;
};
constexpr Variant variants[] = {
    {Version::tlsv1_2, "rsa_aes_128_gcm_sha256"},
    {Version::tlsv1_2, "rsa_aes_256_cbc_sha256"},
    {Version::tlsv1_1, "rsa_aes_128_cbc_sha"},
    {Version::tlsv1, "rsa_aes_128_cbc_sha"},
};

struct Configs {
  std::shared_ptr<const Config> client, server;
  const SuiteInfo* suite = nullptr;
};

// Built once per variant: parsing the key and certificate is not what the property is about. Never
// destroyed: Botan's own statics (its locked-memory pool) may go first at exit.
const Configs& configs(size_t variant) {
  static auto& cache = *new std::map<size_t, Configs>;
  auto it = cache.find(variant);
  if (it != cache.end()) return it->second;
  const Variant& v = variants[variant];
  Configs c;
  c.suite = find_suite_by_name(v.suite);
  if (!c.suite) std::abort();
  Options o;
  o.versions = {v.version};
  o.ciphers = std::vector<SuiteSpec>{c.suite->spec};
  o.reuse_sessions = false;
  auto client = Config::make(Role::client, o);
  o.certfile = data_path("server-rsa.pem");
  o.keyfile = data_path("server-rsa-key.pem");
  auto server = Config::make(Role::server, o);
  if (!client || !server) std::abort();
  c.client = client.value();
  c.server = server.value();
  return cache.emplace(variant, std::move(c)).first->second;
}

const crypto::PrivateKey& server_key() {
  static const auto* key = [] {
    auto k = crypto::PrivateKey::parse(read_file(data_path("server-rsa-key.pem")), "");
    if (!k) std::abort();
    return new crypto::PrivateKey(k.value());
  }();
  return *key;
}

// ---- commands ----

enum class Kind { send, deliver, deliver_all, consume, close, inject_alert, inject_garbage };

struct Cmd {
  Kind kind;
  int side;        // 0 client, 1 server: who sends / consumes / closes; for deliveries and injections, the
                   // sender of the direction (0: client -> server)
  size_t n;        // bytes to send, deliver or consume; garbage length
  uint8_t level;   // injected alert: 1 warning, 2 fatal, 3 illegal
  uint8_t desc;    // injected alert description; garbage record's content type when level is 1
};

void showValue(const Cmd& c, std::ostream& os) {
  static const char* names[] = {"send", "deliver", "deliver_all", "consume", "close", "inject_alert",
                                "inject_garbage"};
  os << names[int(c.kind)] << "(" << (c.side == 0 ? "client" : "server") << ", n=" << c.n
     << ", level=" << int(c.level) << ", desc=" << int(c.desc) << ")";
}

rc::Gen<Cmd> command() {
  const auto size = rc::gen::weightedOneOf<size_t>({{6, rc::gen::inRange<size_t>(0, 100)},
                                                    {2, rc::gen::inRange<size_t>(100, 5000)},
                                                    {1, rc::gen::inRange<size_t>(16000, 40000)}});
  const auto kind = rc::gen::weightedOneOf<Kind>({{6, rc::gen::just(Kind::send)},
                                                  {5, rc::gen::just(Kind::deliver)},
                                                  {3, rc::gen::just(Kind::deliver_all)},
                                                  {4, rc::gen::just(Kind::consume)},
                                                  {1, rc::gen::just(Kind::close)},
                                                  {1, rc::gen::just(Kind::inject_alert)},
                                                  {1, rc::gen::just(Kind::inject_garbage)}});
  const auto level = rc::gen::weightedOneOf<uint8_t>(
      {{5, rc::gen::just<uint8_t>(1)}, {3, rc::gen::just<uint8_t>(2)}, {1, rc::gen::just<uint8_t>(3)}});
  const auto desc = rc::gen::weightedOneOf<uint8_t>(
      {{2, rc::gen::element<uint8_t>(0, 10, 20, 40, 42, 47, 50, 80, 90, 100)}, {1, rc::gen::arbitrary<uint8_t>()}});
  return rc::gen::map(rc::gen::tuple(kind, rc::gen::inRange(0, 2), size, level, desc), [](const auto& t) {
    return Cmd{std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t), std::get<4>(t)};
  });
}

// ---- model ----

struct Item {
  enum class Type { app, alert, garbage } type;
  Bytes data;           // app: plaintext
  uint8_t level = 0, desc = 0;
  bool well_framed = true;  // garbage: a content type the record layer knows (20..23)
};

struct Side {
  Engine* e = nullptr;
  Bytes user_sent;   // what send() accepted
  Bytes expect_app;  // the data of the app records applied to this side
  Bytes got_app;     // consumed from the engine
  struct Err {
    AlertDescription alert;
    bool sent;
  };
  std::optional<Err> error;
  bool any_sent_alert = false;  // a garbage record: some fatal alert is sent, the engine names which
  bool close_sent = false, peer_closed = false;
  int warnings = 0;
  bool dead() const { return error.has_value() || any_sent_alert || peer_closed; }
};

// A record is applied to the receiver once its last byte was fed.
void apply(Side& r, const Item& it) {
  if (r.dead()) return;
  switch (it.type) {
    case Item::Type::app:
      r.warnings = 0;
      r.expect_app.insert(r.expect_app.end(), it.data.begin(), it.data.end());
      return;
    case Item::Type::garbage:
      if (it.well_framed)
        r.error = Side::Err{AlertDescription::bad_record_mac, true};
      else
        r.any_sent_alert = true;
      return;
    case Item::Type::alert:
      if (it.level == 2) {
        r.error = Side::Err{AlertDescription(it.desc), false};
      } else if (it.level != 1) {
        r.error = Side::Err{AlertDescription::decode_error, true};
      } else if (it.desc == uint8_t(AlertDescription::close_notify)) {
        r.peer_closed = true;
        r.close_sent = true;  // answered with its own close_notify unless already sent
      } else if (++r.warnings > 10) {
        r.error = Side::Err{AlertDescription::decode_error, true};
      }
      return;
  }
}

// One direction, sender -> receiver, through the proxy.
struct Wire {
  std::unique_ptr<crypto::RecordProtection> open, seal;  // both with the sender's write keys
  uint64_t open_seq = 1, seal_seq = 1;                   // Finished took sequence number 0
  uint16_t version = 0;
  Bytes raw;  // the sender's output not yet framed
  struct Rec {
    Bytes bytes;
    Item item;
    // A header naming no content type is refused as soon as it is read, not when the body is in.
    size_t decisive() const {
      return item.type == Item::Type::garbage && !item.well_framed ? std::min<size_t>(5, bytes.size()) : bytes.size();
    }
    bool applied = false;
  };
  std::deque<Rec> queue;
  size_t front_done = 0;  // bytes of queue.front() already fed
  Bytes sent_plain;       // application data the sender emitted
  crypto::Rng* rng = nullptr;

  size_t pending() const {
    size_t n = 0;
    for (const Rec& r : queue) n += r.bytes.size();
    return n - front_done;
  }

  void push_sealed(uint8_t type, ByteView plain, Item item) {
    Bytes rec = {type, uint8_t(version >> 8), uint8_t(version), 0, 0};
    seal->protect(type, version, seal_seq++, plain, rec, *rng);
    const size_t len = rec.size() - 5;
    rec[3] = uint8_t(len >> 8);
    rec[4] = uint8_t(len);
    queue.push_back({std::move(rec), std::move(item), false});
  }
};

struct Harness {
  std::unique_ptr<crypto::Rng> client_rng, server_rng, proxy_rng;
  std::unique_ptr<Engine> client, server;
  Side sides[2];
  Wire wires[2];  // wires[0]: client -> server

  Side& receiver_of(int sender) { return sides[1 - sender]; }

  // Takes what the sender wrote, opens each whole record and queues it sealed again.
  void pull(int sender) {
    Side& s = sides[sender];
    Wire& w = wires[sender];
    ByteView out = s.e->pending_output();
    w.raw.insert(w.raw.end(), out.begin(), out.end());
    s.e->consume_output(out.size());
    size_t at = 0;
    while (w.raw.size() - at >= 5) {
      const size_t len = size_t(w.raw[at + 3]) << 8 | w.raw[at + 4];
      if (w.raw.size() - at - 5 < len) break;
      const uint8_t type = w.raw[at];
      const uint16_t version = uint16_t(w.raw[at + 1] << 8 | w.raw[at + 2]);
      RC_ASSERT(version == w.version);
      Bytes frag(w.raw.begin() + ptrdiff_t(at + 5), w.raw.begin() + ptrdiff_t(at + 5 + len));
      at += 5 + len;
      auto plain = w.open->unprotect(type, version, w.open_seq++, frag);
      RC_ASSERT(plain.ok());
      Bytes p(plain.value().begin(), plain.value().end());
      if (type == 23) {
        // The sender's records carry exactly what its user sent, in order.
        RC_ASSERT(w.sent_plain.size() + p.size() <= s.user_sent.size());
        RC_ASSERT(std::equal(p.begin(), p.end(), s.user_sent.begin() + ptrdiff_t(w.sent_plain.size())));
        w.sent_plain.insert(w.sent_plain.end(), p.begin(), p.end());
        w.push_sealed(type, p, Item{Item::Type::app, p});
      } else if (type == 21) {
        RC_ASSERT(p.size() == 2u);
        if (p[0] == 2) {
          // A fatal alert goes out only with the error the sender reports.
          RC_ASSERT(s.e->error().has_value());
          RC_ASSERT(s.e->error()->alert_sent);
          RC_ASSERT(uint8_t(s.e->error()->alert) == p[1]);
        } else {
          RC_ASSERT(p[0] == 1);
          RC_ASSERT(p[1] == uint8_t(AlertDescription::close_notify));
          RC_ASSERT(s.close_sent);
        }
        w.push_sealed(type, p, Item{Item::Type::alert, {}, p[0], p[1]});
      } else {
        RC_FAIL("unexpected record type after the handshake");
      }
    }
    w.raw.erase(w.raw.begin(), w.raw.begin() + ptrdiff_t(at));
  }

  // Feeds up to n in-flight bytes of one direction in a single feed() and applies the whole records.
  void deliver(int sender, size_t n) {
    Wire& w = wires[sender];
    Side& r = receiver_of(sender);
    Bytes chunk;
    std::vector<Item> done;
    while (n > 0 && !w.queue.empty()) {
      Wire::Rec& rec = w.queue.front();
      const size_t k = std::min(n, rec.bytes.size() - w.front_done);
      chunk.insert(chunk.end(), rec.bytes.begin() + ptrdiff_t(w.front_done),
                   rec.bytes.begin() + ptrdiff_t(w.front_done + k));
      w.front_done += k;
      n -= k;
      if (!rec.applied && w.front_done >= rec.decisive()) {
        done.push_back(rec.item);
        rec.applied = true;
      }
      if (w.front_done == rec.bytes.size()) {
        w.queue.pop_front();
        w.front_done = 0;
      }
    }
    if (chunk.empty()) return;
    r.e->feed(chunk);
    for (const Item& it : done) apply(r, it);
  }

  // The engines agree with the model.
  void check() {
    for (int i = 0; i < 2; ++i) {
      Side& s = sides[i];
      const Side& peer = sides[1 - i];
      Bytes seen = s.got_app;
      seen.insert(seen.end(), s.e->app_data().begin(), s.e->app_data().end());
      RC_ASSERT(seen == s.expect_app);
      RC_ASSERT(s.expect_app.size() <= peer.user_sent.size());
      RC_ASSERT(std::equal(s.expect_app.begin(), s.expect_app.end(), peer.user_sent.begin()));
      const auto& err = s.e->error();
      if (s.any_sent_alert && !s.error) {
        // A garbage record with a content type that is not application_data: the engine chooses the
        // alert; from now on it must stay the same.
        RC_ASSERT(err.has_value());
        RC_ASSERT(err->kind == Error::Kind::tls_alert);
        RC_ASSERT(err->alert_sent);
        s.error = Side::Err{err->alert, true};
      }
      if (s.error) {
        RC_ASSERT(err.has_value());
        RC_ASSERT(err->kind == Error::Kind::tls_alert);
        RC_ASSERT(err->alert == s.error->alert);
        RC_ASSERT(err->alert_sent == s.error->sent);
      } else {
        RC_ASSERT(!err.has_value());
      }
      RC_ASSERT(s.e->peer_closed() == s.peer_closed);
      RC_ASSERT(s.e->handshake_done());
    }
  }

  void run(const Cmd& c) {
    Side& s = sides[c.side];
    switch (c.kind) {
      case Kind::send: {
        Bytes data(c.n);
        // Bytes numbered by their position in the stream, so loss, duplication and reordering show.
        for (size_t i = 0; i < c.n; ++i) data[i] = uint8_t((s.user_sent.size() + i) * 31 / 7 + c.side);
        auto r = s.e->send(data);
        if (s.error) {
          RC_ASSERT(!r.ok());
          RC_ASSERT(r.error().kind == Error::Kind::tls_alert);
          RC_ASSERT(r.error().alert == s.error->alert);
        } else if (s.close_sent) {
          RC_ASSERT(!r.ok());
          RC_ASSERT(r.error().kind == Error::Kind::closed);
        } else {
          RC_ASSERT(r.ok());
          s.user_sent.insert(s.user_sent.end(), data.begin(), data.end());
        }
        break;
      }
      case Kind::deliver: deliver(c.side, c.n); break;
      case Kind::deliver_all: deliver(c.side, wires[c.side].pending()); break;
      case Kind::consume: {
        const size_t k = std::min(c.n, s.e->app_data().size());
        s.got_app.insert(s.got_app.end(), s.e->app_data().begin(), s.e->app_data().begin() + ptrdiff_t(k));
        s.e->consume_app_data(k);
        break;
      }
      case Kind::close:
        s.e->close();
        if (!s.error) s.close_sent = true;
        break;
      case Kind::inject_alert: {
        const uint8_t a[2] = {c.level, c.desc};
        wires[c.side].push_sealed(21, a, Item{Item::Type::alert, {}, c.level, c.desc});
        break;
      }
      case Kind::inject_garbage: {
        // level 1: a record of content type `desc` (application_data for 23, which stays garbage);
        // otherwise application data. Either way the fragment does not authenticate.
        Wire& w = wires[c.side];
        const size_t len = std::min<size_t>(c.n, 300);
        uint8_t type = 23;
        if (c.level == 1) type = c.desc == 23 ? 24 : c.desc;
        Bytes rec = {type, uint8_t(w.version >> 8), uint8_t(w.version), uint8_t(len >> 8), uint8_t(len)};
        for (size_t i = 0; i < len; ++i) rec.push_back(uint8_t(i * 131 + c.desc));
        Item it{Item::Type::garbage, {}};
        it.well_framed = type >= 20 && type <= 23;
        w.queue.push_back({std::move(rec), std::move(it), false});
        break;
      }
    }
    pull(0);
    pull(1);
    check();
  }
};

// Both engines connected, the proxy holding both directions' keys.
std::unique_ptr<Harness> connect(size_t variant, uint64_t seed) {
  const Configs& cf = configs(variant);
  auto h = std::make_unique<Harness>();
  h->client_rng = crypto::deterministic_rng(seed * 2 + 1);
  h->server_rng = crypto::deterministic_rng(seed * 2 + 2);
  h->proxy_rng = crypto::deterministic_rng(~seed);
  auto cc = std::make_shared<Config>(*cf.client);
  cc->rng = h->client_rng.get();
  auto sc = std::make_shared<Config>(*cf.server);
  sc->rng = h->server_rng.get();
  h->client = std::make_unique<Engine>(cc, PeerId{"localhost", 4433});
  h->server = std::make_unique<Engine>(sc, PeerId{"127.0.0.1", 50000});
  h->client->start();
  h->server->start();
  Bytes to_server, to_client;
  for (int round = 0; round < 10; ++round) {
    Bytes a(h->client->pending_output().begin(), h->client->pending_output().end());
    h->client->consume_output(a.size());
    to_server.insert(to_server.end(), a.begin(), a.end());
    h->server->feed(a);
    Bytes b(h->server->pending_output().begin(), h->server->pending_output().end());
    h->server->consume_output(b.size());
    to_client.insert(to_client.end(), b.begin(), b.end());
    h->client->feed(b);
    if (a.empty() && b.empty()) break;
  }
  RC_ASSERT(h->client->handshake_done());
  RC_ASSERT(h->server->handshake_done());

  // The keys, as both engines derived them; each direction's Finished goes through the proxy's states.
  const Version v = variants[variant].version;
  auto keys = props::recover_keys(v, cf.suite->spec, server_key(), h->client->info(), to_server, {to_server, to_client},
                                  *h->proxy_rng);
  h->sides[0].e = h->client.get();
  h->sides[1].e = h->server.get();
  for (int i = 0; i < 2; ++i) {
    Wire& w = h->wires[i];
    w.open = std::move(keys[i].open);
    w.seal = std::move(keys[i].seal);
    w.version = uint16_t(v);
    w.rng = h->proxy_rng.get();
  }
  return h;
}

RC_GTEST_PROP(EngineModel, ConnectedPairFollowsTheModel, ()) {
  const size_t variant = *rc::gen::inRange<size_t>(0, std::size(variants));
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const auto cmds = *rc::gen::container<std::vector<Cmd>>(command());
  auto h = connect(variant, seed);
  h->check();
  for (const Cmd& c : cmds) h->run(c);

  // Drain: deliver everything both ways until the engines have nothing more to say.
  for (int round = 0; round < 4; ++round) {
    h->run(Cmd{Kind::deliver_all, 0, 0, 0, 0});
    h->run(Cmd{Kind::deliver_all, 1, 0, 0, 0});
  }
  RC_CLASSIFY(!h->sides[0].expect_app.empty() || !h->sides[1].expect_app.empty(), "data delivered");
  RC_CLASSIFY(h->sides[0].error || h->sides[1].error, "fatal alert");
  RC_CLASSIFY(h->sides[0].peer_closed || h->sides[1].peer_closed, "close_notify received");
  for (int i = 0; i < 2; ++i) {
    Side& r = h->sides[i];
    const Side& s = h->sides[1 - i];
    // Every byte a sender's user handed over left in its records ...
    RC_ASSERT(h->wires[1 - i].sent_plain == s.user_sent);
    // ... and reached a receiver that stayed open.
    if (!r.dead()) RC_ASSERT(r.expect_app == s.user_sent);
  }
}

}  // namespace
}  // namespace essl

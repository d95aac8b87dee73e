// The extended master secret (RFC 7627) and encrypt-then-MAC (RFC 7366) between two engines: negotiated
// by default, per version and suite, either side turning them off, the resumption rules of RFC 7627 5.3,
// and the alerts for answers that were not asked for or are malformed.
#include <gtest/gtest.h>

#include <functional>

#include "codecs/extensions.hpp"
#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "codecs/record.hpp"
#include "engine_test_util.hpp"
#include "statemachine/session_cache.hpp"

namespace essl::test {
namespace {

using codec::Bytes;
using codec::ExtensionType;

struct Params {
  std::string suite = "rsa_aes_128_cbc_sha";
  Version version = Version::tlsv1_2;
  bool client_ems = true, client_etm = true, server_ems = true, server_etm = true;
};

Options client_options(const Params& s) {
  Options o;
  o.versions = {s.version};
  o.ciphers = std::vector<SuiteSpec>{find_suite_by_name(s.suite)->spec};
  o.extended_master_secret = s.client_ems;
  o.encrypt_then_mac = s.client_etm;
  return o;
}

Options server_opts(const Params& s) {
  Options o = server_options();
  o.versions = {s.version};
  o.ciphers = std::vector<SuiteSpec>{find_suite_by_name(s.suite)->spec};
  o.extended_master_secret = s.server_ems;
  o.encrypt_then_mac = s.server_etm;
  return o;
}

std::shared_ptr<const Config> config(Role role, const Options& o, std::shared_ptr<SessionStore> store = nullptr) {
  auto c = Config::make(role, o, std::move(store));
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : describe(c.error()));
  return c.ok() ? c.value() : nullptr;
}

// The handshake messages of one plaintext handshake record, rewritten: `edit` gets the first message's
// body (a hello) and changes it; the record's other messages stay as they are.
Bytes rewrite_first_hello(const Bytes& flight, const std::function<void(Bytes&)>& edit) {
  EXPECT_GE(flight.size(), 9u);
  EXPECT_EQ(flight[0], 22);
  const size_t len = size_t(flight[3]) << 8 | flight[4];
  const Bytes record(flight.begin() + 5, flight.begin() + long(5 + len));
  const size_t first = size_t(record[1]) << 16 | size_t(record[2]) << 8 | record[3];
  Bytes body(record.begin() + 4, record.begin() + long(4 + first));
  edit(body);
  Bytes messages;
  codec::Writer w(messages);
  codec::encode_handshake(codec::HandshakeType(record[0]), body, w);
  messages.insert(messages.end(), record.begin() + long(4 + first), record.end());
  Bytes out;
  codec::Writer w2(out);
  codec::encode_record_header({codec::ContentType::handshake, uint16_t(flight[1] << 8 | flight[2]), uint16_t(messages.size())}, w2);
  out.insert(out.end(), messages.begin(), messages.end());
  out.insert(out.end(), flight.begin() + long(5 + len), flight.end());
  return out;
}

void drop_extension(std::vector<codec::Extension>& exts, ExtensionType t) {
  std::erase_if(exts, [&](const codec::Extension& e) { return e.type == uint16_t(t); });
}

std::function<void(Bytes&)> edit_server_hello(const std::function<void(codec::ServerHello&)>& f) {
  return [f](Bytes& body) {
    auto sh = codec::decode_server_hello(body);
    ASSERT_TRUE(sh.ok());
    f(*sh);
    sh->extensions_present = !sh->extensions.empty();
    body.clear();
    codec::Writer w(body);
    codec::encode_server_hello(*sh, w);
  };
}

std::function<void(Bytes&)> edit_client_hello(const std::function<void(codec::ClientHello&)>& f) {
  return [f](Bytes& body) {
    auto ch = codec::decode_client_hello(body);
    ASSERT_TRUE(ch.ok());
    f(*ch);
    body.clear();
    codec::Writer w(body);
    codec::encode_client_hello(*ch, w);
  };
}

bool has_extension(const Bytes& flight, ExtensionType t, bool client_hello) {
  bool found = false;
  rewrite_first_hello(flight, [&](Bytes& body) {
    if (client_hello) {
      auto ch = codec::decode_client_hello(body);
      found = ch.ok() && codec::find_extension(ch->extensions, t) != nullptr;
    } else {
      auto sh = codec::decode_server_hello(body);
      found = sh.ok() && codec::find_extension(sh->extensions, t) != nullptr;
    }
  });
  return found;
}

// ---- negotiation

TEST(EmsEtm, BothByDefaultWithCbcAtEveryTlsVersion) {
  struct Row {
    const char* suite;
    Version v;
  };
  for (Row row : {Row{"rsa_aes_128_cbc_sha", Version::tlsv1}, Row{"rsa_aes_256_cbc_sha", Version::tlsv1_1},
                  Row{"rsa_3des_ede_cbc_sha", Version::tlsv1_2}, Row{"ecdhe_rsa_aes_256_cbc_sha384", Version::tlsv1_2},
                  Row{"dhe_rsa_aes_128_cbc_sha256", Version::tlsv1_2}}) {
    SCOPED_TRACE(row.suite);
    Params s;
    s.suite = row.suite;
    s.version = row.v;
    auto cc = config(Role::client, client_options(s));
    auto sc = config(Role::server, server_opts(s));
    for (bool resumed : {false, true}) {
      Pair p(cc, sc);
      p.handshake();
      ASSERT_TRUE(p.client.handshake_done() && p.server.handshake_done())
          << describe(p.client.error()) << " / " << describe(p.server.error());
      for (const ConnectionInfo& i : {p.client.info(), p.server.info()}) {
        EXPECT_EQ(i.resumed, resumed);
        EXPECT_TRUE(i.extended_master_secret);
        EXPECT_TRUE(i.encrypt_then_mac);
      }
      transfer(p, true, pattern(3, 1));
      transfer(p, false, pattern(40000, 2));
      transfer(p, true, pattern(16384, 3));
    }
  }
}

TEST(EmsEtm, AeadAndStreamSuitesUseTheExtendedMasterSecretOnly) {
  for (const char* suite : {"ecdhe_rsa_aes_128_gcm_sha256", "rsa_rc4_128_sha"}) {
    SCOPED_TRACE(suite);
    Params s;
    s.suite = suite;
    Options co = client_options(s);
    // A CBC suite offered too, so that the client asks for encrypt-then-MAC.
    co.ciphers = std::vector<SuiteSpec>{find_suite_by_name(suite)->spec, find_suite_by_name("rsa_aes_128_cbc_sha")->spec};
    Pair p(config(Role::client, co), config(Role::server, server_opts(s)));
    p.client.start();
    const Bytes hello = take_output(p.client);
    EXPECT_TRUE(has_extension(hello, ExtensionType::encrypt_then_mac, true));
    EXPECT_TRUE(has_extension(hello, ExtensionType::extended_master_secret, true));
    p.server.feed(hello);
    const Bytes flight = take_output(p.server);
    EXPECT_FALSE(has_extension(flight, ExtensionType::encrypt_then_mac, false));
    EXPECT_TRUE(has_extension(flight, ExtensionType::extended_master_secret, false));
    p.client.feed(flight);
    p.pump();
    ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error()) << " / " << describe(p.server.error());
    EXPECT_TRUE(p.client.info().extended_master_secret);
    EXPECT_FALSE(p.client.info().encrypt_then_mac);
    EXPECT_FALSE(p.server.info().encrypt_then_mac);
    transfer(p, true, pattern(100, 4));
  }
}

TEST(EmsEtm, EitherSideTurnsThemOff) {
  struct Row {
    bool c_ems, c_etm, s_ems, s_etm;
  };
  for (Row r : {Row{false, true, true, true}, Row{true, false, true, true}, Row{true, true, false, true},
                Row{true, true, true, false}, Row{false, false, false, false}}) {
    SCOPED_TRACE(std::to_string(r.c_ems) + std::to_string(r.c_etm) + std::to_string(r.s_ems) + std::to_string(r.s_etm));
    Params s;
    s.client_ems = r.c_ems;
    s.client_etm = r.c_etm;
    s.server_ems = r.s_ems;
    s.server_etm = r.s_etm;
    auto cc = config(Role::client, client_options(s));
    auto sc = config(Role::server, server_opts(s));
    for (bool resumed : {false, true}) {
      Pair p(cc, sc);
      p.client.start();
      const Bytes hello = take_output(p.client);
      EXPECT_EQ(has_extension(hello, ExtensionType::extended_master_secret, true), r.c_ems);
      EXPECT_EQ(has_extension(hello, ExtensionType::encrypt_then_mac, true), r.c_etm);
      p.server.feed(hello);
      p.pump();
      ASSERT_TRUE(p.client.handshake_done() && p.server.handshake_done())
          << describe(p.client.error()) << " / " << describe(p.server.error());
      for (const ConnectionInfo& i : {p.client.info(), p.server.info()}) {
        EXPECT_EQ(i.resumed, resumed);
        EXPECT_EQ(i.extended_master_secret, r.c_ems && r.s_ems);
        EXPECT_EQ(i.encrypt_then_mac, r.c_etm && r.s_etm);
      }
      transfer(p, false, pattern(5000, 5));
    }
  }
}

TEST(EmsEtm, NeitherInSsl3) {
  Params s;
  s.version = Version::sslv3;
  s.suite = "rsa_3des_ede_cbc_sha";
  Pair p(config(Role::client, client_options(s)), config(Role::server, server_opts(s)));
  p.client.start();
  const Bytes hello = take_output(p.client);
  EXPECT_FALSE(has_extension(hello, ExtensionType::extended_master_secret, true));
  EXPECT_FALSE(has_extension(hello, ExtensionType::encrypt_then_mac, true));
  p.server.feed(hello);
  p.pump();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error()) << " / " << describe(p.server.error());
  EXPECT_FALSE(p.client.info().extended_master_secret);
  EXPECT_FALSE(p.client.info().encrypt_then_mac);
  transfer(p, true, pattern(300, 6));
}

// Renegotiation negotiates both again; the data keeps flowing under the new keys.
TEST(EmsEtm, RenegotiationKeepsThem) {
  Params s;
  Options so = server_opts(s);
  Pair p(config(Role::client, client_options(s)), config(Role::server, so));
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done());
  ASSERT_TRUE(p.client.renegotiate().ok());
  p.pump();
  EXPECT_EQ(p.client.handshakes_completed(), 2u) << describe(p.client.error()) << " / " << describe(p.server.error());
  EXPECT_TRUE(p.client.info().extended_master_secret);
  EXPECT_TRUE(p.server.info().encrypt_then_mac);
  transfer(p, true, pattern(20000, 7));
  transfer(p, false, pattern(20, 8));
}

// ---- RFC 7627 5.3: resumption

// The session was made without the extension and the client now offers it: the server makes a full
// handshake (a new session) instead of resuming.
TEST(EmsResumption, ServerDoesNotResumeAClassicSessionForAnExtendedHello) {
  auto store = SessionStore::memory(Role::client);
  Params classic;
  classic.client_ems = false;
  auto sc = config(Role::server, server_opts(Params{}));
  {
    Pair p(config(Role::client, client_options(classic), store), sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done());
    EXPECT_FALSE(p.client.info().extended_master_secret);
  }
  Pair p(config(Role::client, client_options(Params{}), store), sc);
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error()) << " / " << describe(p.server.error());
  EXPECT_FALSE(p.client.info().resumed);
  EXPECT_TRUE(p.client.info().extended_master_secret);
  EXPECT_TRUE(p.server.info().extended_master_secret);
}

// A client that no longer wants the extension does not offer a session made with it.
TEST(EmsResumption, ClientDoesNotOfferAnExtendedSessionWithoutTheExtension) {
  auto store = SessionStore::memory(Role::client);
  auto sc = config(Role::server, server_opts(Params{}));
  {
    Pair p(config(Role::client, client_options(Params{}), store), sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done());
  }
  Params classic;
  classic.client_ems = false;
  Pair p(config(Role::client, client_options(classic), store), sc);
  p.client.start();
  const Bytes hello = take_output(p.client);
  rewrite_first_hello(hello, edit_client_hello([](codec::ClientHello& ch) { EXPECT_TRUE(ch.session_id.empty()); }));
  p.server.feed(hello);
  p.pump();
  ASSERT_TRUE(p.client.handshake_done());
  EXPECT_FALSE(p.client.info().resumed);
  EXPECT_FALSE(p.client.info().extended_master_secret);
}

// The session used the extension; a ClientHello resuming it without the extension is refused.
TEST(EmsResumption, ServerRefusesAnExtendedSessionWithoutTheExtension) {
  auto cc = config(Role::client, client_options(Params{}));
  auto sc = config(Role::server, server_opts(Params{}));
  {
    Pair p(cc, sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done());
    ASSERT_TRUE(p.client.info().extended_master_secret);
  }
  Pair p(cc, sc);
  p.client.start();
  const Bytes hello = rewrite_first_hello(take_output(p.client), edit_client_hello([](codec::ClientHello& ch) {
    EXPECT_FALSE(ch.session_id.empty());
    drop_extension(ch.extensions, ExtensionType::extended_master_secret);
  }));
  p.server.start();
  p.server.feed(hello);
  expect_sent(p.server, AlertDescription::handshake_failure);
}

// The client checks the server's answer against the session it offered, both ways.
TEST(EmsResumption, ClientRefusesAResumptionThatChangesTheExtension) {
  for (bool session_ems : {true, false}) {
    SCOPED_TRACE(session_ems ? "extended session, answer without" : "classic session, answer with");
    Params first;
    first.client_ems = session_ems;
    Params server_setup;
    server_setup.server_ems = session_ems;  // resumes the session as it was made
    auto store = SessionStore::memory(Role::client);
    auto sc = config(Role::server, server_opts(server_setup));
    {
      Pair p(config(Role::client, client_options(first), store), sc);
      p.handshake();
      ASSERT_TRUE(p.client.handshake_done());
      ASSERT_EQ(p.client.info().extended_master_secret, session_ems);
    }
    Pair p(config(Role::client, client_options(Params{}), store), sc);
    p.client.start();
    p.server.feed(take_output(p.client));
    ASSERT_FALSE(p.server.error()) << describe(p.server.error());
    Bytes flight = rewrite_first_hello(take_output(p.server), edit_server_hello([&](codec::ServerHello& sh) {
      if (session_ems)
        drop_extension(sh.extensions, ExtensionType::extended_master_secret);
      else
        sh.extensions.push_back({uint16_t(ExtensionType::extended_master_secret), {}});
    }));
    p.client.feed(flight);
    expect_sent(p.client, AlertDescription::handshake_failure);
  }
}

// ---- answers not asked for, malformed extensions

TEST(EmsEtm, UnrequestedAnswersAreUnsupportedExtension) {
  for (ExtensionType t : {ExtensionType::extended_master_secret, ExtensionType::encrypt_then_mac}) {
    SCOPED_TRACE(int(t));
    Params s;
    s.client_ems = false;
    s.client_etm = false;
    Pair p(config(Role::client, client_options(s)), config(Role::server, server_opts(Params{})));
    p.client.start();
    p.server.start();
    p.server.feed(take_output(p.client));
    Bytes flight = rewrite_first_hello(take_output(p.server), edit_server_hello([&](codec::ServerHello& sh) {
      sh.extensions.push_back({uint16_t(t), {}});
    }));
    p.client.feed(flight);
    expect_sent(p.client, AlertDescription::unsupported_extension);
  }
}

TEST(EmsEtm, NonEmptyExtensionsAreDecodeErrors) {
  for (ExtensionType t : {ExtensionType::extended_master_secret, ExtensionType::encrypt_then_mac}) {
    SCOPED_TRACE(int(t));
    {
      Pair p(config(Role::client, client_options(Params{})), config(Role::server, server_opts(Params{})));
      p.client.start();
      p.server.start();
      p.server.feed(rewrite_first_hello(take_output(p.client), edit_client_hello([&](codec::ClientHello& ch) {
        for (auto& e : ch.extensions)
          if (e.type == uint16_t(t)) e.data = {0};
      })));
      expect_sent(p.server, AlertDescription::decode_error);
    }
    {
      Pair p(config(Role::client, client_options(Params{})), config(Role::server, server_opts(Params{})));
      p.client.start();
      p.server.start();
      p.server.feed(take_output(p.client));
      p.client.feed(rewrite_first_hello(take_output(p.server), edit_server_hello([&](codec::ServerHello& sh) {
        for (auto& e : sh.extensions)
          if (e.type == uint16_t(t)) e.data = {0};
      })));
      expect_sent(p.client, AlertDescription::decode_error);
    }
  }
}

}  // namespace
}  // namespace essl::test

// Renegotiation (RFC 5246 7.4.1.1, RFC 5746) between two engines: either side asks, data keeps flowing,
// the server's policy (client_renegotiation, the rate limit) refuses with a warning, RFC 5746's binding
// is checked, and a new handshake starts on its own before the write sequence number grows too large.
#include <algorithm>
#include <atomic>

#include "codecs/extensions.hpp"
#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "codecs/record.hpp"
#include "engine_test_util.hpp"
#include "statemachine/table.hpp"

namespace essl::test {
namespace {

std::atomic<int64_t> fake_now{0};
int64_t fake_clock() { return fake_now.load(); }

struct RenegSetup {
  Options client, server;
  uint64_t renegotiate_at = uint64_t(1) << 28;
  bool fake_time = false;

  RenegSetup() : server(server_options()) {}

  Pair make() {
    auto c = make_config(Role::client, client);
    auto s = make_config(Role::server, server);
    auto cc = std::make_shared<Config>(*c);
    auto sc = std::make_shared<Config>(*s);
    cc->renegotiate_at = sc->renegotiate_at = renegotiate_at;
    if (fake_time) cc->now_ms = sc->now_ms = &fake_clock;
    return Pair(cc, sc);
  }
};

void send(Engine& from, const std::string& text) {
  ASSERT_TRUE(from.send(codec::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size())).ok());
}

std::string app(Engine& e) {
  codec::Bytes b = take_app(e);
  return std::string(b.begin(), b.end());
}

void expect_fine(const Pair& p) {
  EXPECT_FALSE(p.client.error()) << describe(p.client.error());
  EXPECT_FALSE(p.server.error()) << describe(p.server.error());
}

TEST(Renegotiation, ClientInitiatedCompletesWithNewKeysAndData) {
  RenegSetup st;
  Pair p = st.make();
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done() && p.server.handshake_done());
  const auto before = p.client.info();
  ASSERT_TRUE(p.client.renegotiate().ok());
  EXPECT_TRUE(p.client.renegotiating());
  EXPECT_EQ(p.client.state_id(), "c_wait_server_hello");
  // Data the client sends while its ClientHello is out, under the current keys.
  send(p.client, "during");
  p.pump();
  expect_fine(p);
  EXPECT_EQ(app(p.server), "during");
  EXPECT_FALSE(p.client.renegotiating());
  EXPECT_EQ(p.client.handshakes_completed(), 2u);
  EXPECT_EQ(p.server.handshakes_completed(), 2u);
  EXPECT_EQ(p.client.state_id(), "connection");
  EXPECT_EQ(p.server.state_id(), "connection");
  EXPECT_NE(p.client.info().client_random, before.client_random);
  send(p.client, "after");
  send(p.server, "back");
  p.pump();
  EXPECT_EQ(app(p.server), "after");
  EXPECT_EQ(app(p.client), "back");
  expect_fine(p);
}

TEST(Renegotiation, ServerInitiatedSendsHelloRequest) {
  RenegSetup st;
  st.server.client_renegotiation = false;  // does not stop a renegotiation the server asked for
  Pair p = st.make();
  p.handshake();
  ASSERT_TRUE(p.server.renegotiate().ok());
  EXPECT_TRUE(p.server.renegotiating());
  // Only one at a time.
  auto again = p.server.renegotiate();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().detail, "already_renegotiating");
  send(p.server, "s1");
  p.pump();
  expect_fine(p);
  EXPECT_EQ(app(p.client), "s1");
  EXPECT_EQ(p.server.handshakes_completed(), 2u);
  EXPECT_EQ(p.client.handshakes_completed(), 2u);
  EXPECT_FALSE(p.server.renegotiating());
  EXPECT_EQ(p.server.renegotiations_rejected(), 0u);
}

TEST(Renegotiation, NextProtocolNegotiatedAgain) {
  // The second handshake negotiates the protocol anew by NPN (the server answers no ALPN that the client
  // did not offer), and the choice stands after it.
  RenegSetup st;
  st.server.next_protocols_advertised = std::vector<std::string>{"spdy/3", "http/1.1"};
  st.client.client_preferred_next_protocols =
      NextProtocolPreference{NextProtocolPreference::Precedence::client, {"http/1.1"}, "http/1.1"};
  for (bool client_asks : {true, false}) {
    Pair p = st.make();
    p.handshake();
    ASSERT_EQ(p.server.negotiated_protocol(), std::optional<std::string>("http/1.1"));
    ASSERT_TRUE((client_asks ? p.client : p.server).renegotiate().ok());
    p.pump();
    expect_fine(p);
    EXPECT_EQ(p.client.handshakes_completed(), 2u);
    EXPECT_EQ(p.server.handshakes_completed(), 2u);
    EXPECT_EQ(p.client.negotiated_protocol(), std::optional<std::string>("http/1.1"));
    EXPECT_EQ(p.server.negotiated_protocol(), std::optional<std::string>("http/1.1"));
  }
}

TEST(Renegotiation, ApplicationDataInterleavesWithTheHandshake) {
  RenegSetup st;
  Pair p = st.make();
  p.handshake();
  ASSERT_TRUE(p.client.renegotiate().ok());
  // Move one flight at a time, each side sending data between flights.
  for (int i = 0; i < 8; ++i) {
    send(p.client, "c" + std::to_string(i));
    send(p.server, "s" + std::to_string(i));
    codec::Bytes c = take_output(p.client);
    p.server.feed(c);
    codec::Bytes s = take_output(p.server);
    p.client.feed(s);
    expect_fine(p);
  }
  p.pump();
  std::string at_server = app(p.server), at_client = app(p.client);
  EXPECT_EQ(at_server, "c0c1c2c3c4c5c6c7");
  EXPECT_EQ(at_client, "s0s1s2s3s4s5s6s7");
  EXPECT_EQ(p.client.handshakes_completed(), 2u);
  EXPECT_EQ(p.server.handshakes_completed(), 2u);
}

TEST(Renegotiation, ClientRenegotiationFalseRefusesWithWarning) {
  RenegSetup st;
  st.server.client_renegotiation = false;
  Pair p = st.make();
  p.handshake();
  ASSERT_TRUE(p.client.renegotiate().ok());
  p.pump();
  expect_fine(p);
  EXPECT_EQ(p.client.renegotiations_rejected(), 1u);
  EXPECT_EQ(p.client.handshakes_completed(), 1u);
  EXPECT_EQ(p.client.state_id(), "connection");
  // The connection stays usable under the first keys.
  send(p.client, "still");
  send(p.server, "here");
  p.pump();
  EXPECT_EQ(app(p.server), "still");
  EXPECT_EQ(app(p.client), "here");
  expect_fine(p);
}

TEST(Renegotiation, RateLimitRefusesAFloodThenAllowsAgain) {
  RenegSetup st;
  st.fake_time = true;
  fake_now = 1'000'000;
  Pair p = st.make();
  p.handshake();
  ASSERT_TRUE(p.client.renegotiate().ok());
  p.pump();
  EXPECT_EQ(p.server.handshakes_completed(), 2u);
  // Within the interval: refused, as often as the client tries, without ending the connection.
  for (int i = 0; i < 5; ++i) {
    fake_now += 1000;
    ASSERT_TRUE(p.client.renegotiate().ok());
    p.pump();
    expect_fine(p);
  }
  EXPECT_EQ(p.client.renegotiations_rejected(), 5u);
  EXPECT_EQ(p.server.handshakes_completed(), 2u);
  fake_now += 12'000;
  ASSERT_TRUE(p.client.renegotiate().ok());
  p.pump();
  expect_fine(p);
  EXPECT_EQ(p.server.handshakes_completed(), 3u);
  EXPECT_EQ(p.client.handshakes_completed(), 3u);
}

TEST(Renegotiation, SecureRenegotiateRefusesAnInsecurePeer) {
  // secure_renegotiate true on a server whose client signals no RFC 5746: refused with a fatal
  // no_renegotiation (the reference's alert).
  RenegSetup st;
  st.server.secure_renegotiate = true;
  Pair p = st.make();
  p.client.start();
  const codec::Bytes sent = take_output(p.client);
  // The ClientHello (one record) without RFC 5746's signals: no renegotiation_info extension, no SCSV.
  auto rec = codec::decode_record_header(codec::ByteView(sent).first(codec::record_header_size));
  ASSERT_TRUE(rec.ok());
  ASSERT_EQ(sent.size(), codec::record_header_size + rec->length);
  const codec::ByteView hs = codec::ByteView(sent).subspan(codec::record_header_size);
  auto ch = codec::decode_client_hello(hs.subspan(codec::handshake_header_size));
  ASSERT_TRUE(ch.ok());
  const auto ri = std::find_if(ch->extensions.begin(), ch->extensions.end(), [](const codec::Extension& e) {
    return e.type == uint16_t(codec::ExtensionType::renegotiation_info);
  });
  ASSERT_NE(ri, ch->extensions.end());
  ch->extensions.erase(ri);
  std::erase(ch->cipher_suites, codec::scsv_empty_renegotiation_info);
  codec::Bytes body, handshake, hello;
  codec::Writer bw(body);
  codec::encode_client_hello(*ch, bw);
  codec::Writer hw(handshake);
  codec::encode_handshake(codec::HandshakeType::client_hello, body, hw);
  codec::Writer w(hello);
  codec::encode_record_header({rec->type, rec->version, uint16_t(handshake.size())}, w);
  hello.insert(hello.end(), handshake.begin(), handshake.end());
  p.server.feed(hello);
  expect_sent(p.server, AlertDescription::no_renegotiation);
}

TEST(Renegotiation, AutomaticBeforeTheSequenceNumberGrowsTooLarge) {
  RenegSetup st;
  st.renegotiate_at = 20;
  st.fake_time = true;
  fake_now = 5'000'000;
  Pair p = st.make();
  p.handshake();
  for (int i = 0; i < 60; ++i) {
    send(p.client, "x");
    send(p.server, "y");
    p.pump();
    expect_fine(p);
    fake_now += 13'000;  // past the server's rate limit each time
  }
  EXPECT_EQ(app(p.server), std::string(60, 'x'));
  EXPECT_EQ(app(p.client), std::string(60, 'y'));
  // Either side starts one every ~20 records it writes (the client a ClientHello, the server a
  // HelloRequest); each completes.
  EXPECT_GE(p.client.handshakes_completed(), 4u);
  EXPECT_EQ(p.server.handshakes_completed(), p.client.handshakes_completed());
  EXPECT_EQ(p.client.renegotiations_rejected() + p.server.renegotiations_rejected(), 0u);
}

TEST(Renegotiation, AutomaticRetriesOnlyAfterAsManyRecordsWhenRefused) {
  RenegSetup st;
  st.renegotiate_at = 10;
  st.server.client_renegotiation = false;
  Pair p = st.make();
  p.handshake();
  for (int i = 0; i < 45; ++i) {
    send(p.client, "x");
    p.pump();
    expect_fine(p);
  }
  EXPECT_EQ(app(p.server), std::string(45, 'x'));
  EXPECT_EQ(p.client.handshakes_completed(), 1u);
  // Attempts at about 10, 20, 30 and 40 records (plus the attempts' own records), not one per send.
  EXPECT_GE(p.client.renegotiations_rejected(), 2u);
  EXPECT_LE(p.client.renegotiations_rejected(), 4u);
}

TEST(Renegotiation, NotBeforeTheFirstHandshake) {
  RenegSetup st;
  Pair p = st.make();
  p.client.start();
  auto r = p.client.renegotiate();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, "handshake_not_complete");
}

TEST(Renegotiation, HelloRequestDuringAHandshakeIsIgnored) {
  RenegSetup st;
  Pair p = st.make();
  p.handshake();
  ASSERT_TRUE(p.client.renegotiate().ok());
  EXPECT_EQ(p.client.state_id(), "c_wait_server_hello");
  ASSERT_TRUE(table::find(Role::client, table::State::c_wait_server_hello, table::Msg::hello_request,
                          table::f_renegotiating));
  EXPECT_EQ(table::find(Role::client, table::State::c_wait_server_hello, table::Msg::hello_request,
                        table::f_renegotiating)
                ->handler,
            table::Handler::ignore);
  p.pump();
  expect_fine(p);
}

}  // namespace
}  // namespace essl::test

// Hostile and broken input: each case checks the alert on the wire and the error returned.
#include <gtest/gtest.h>

#include "codecs/record.hpp"
#include "engine_test_util.hpp"

namespace essl::test {
namespace {

std::shared_ptr<const Config> server_config() {
  static auto c = make_config(Role::server, server_options());
  return c;
}
std::shared_ptr<const Config> client_config(Options o = {}) { return make_config(Role::client, o); }

Engine fresh_server() { return Engine(server_config(), PeerId{"127.0.0.1", 1}); }

codec::Bytes record(uint8_t type, uint16_t version, codec::Bytes body) {
  codec::Bytes r = {type, uint8_t(version >> 8), uint8_t(version), uint8_t(body.size() >> 8), uint8_t(body.size())};
  r.insert(r.end(), body.begin(), body.end());
  return r;
}

TEST(BadInput, GarbageIsUnexpectedMessage) {
  Engine s = fresh_server();
  std::string http = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  s.feed(codec::ByteView(reinterpret_cast<const uint8_t*>(http.data()), http.size()));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::unexpected_message);
  expect_sent(s, AlertDescription::unexpected_message);
  EXPECT_EQ(s.error()->state, "hello");
  // Later input is dropped; nothing more is said.
  size_t before = s.pending_output().size();
  s.feed(record(22, 0x0301, {1, 0, 0, 0}));
  EXPECT_EQ(s.pending_output().size(), before);
}

TEST(BadInput, TruncatedRecordThenEof) {
  Pair p(client_config(), server_config());
  p.client.start();
  codec::Bytes hello = take_output(p.client);
  p.server.feed(codec::ByteView(hello).first(hello.size() - 3));
  EXPECT_FALSE(p.server.error());
  EXPECT_TRUE(p.server.pending_output().empty());
  p.server.end_of_input();
  ASSERT_TRUE(p.server.error());
  EXPECT_EQ(p.server.error()->kind, Error::Kind::closed);
  EXPECT_TRUE(p.server.pending_output().empty());  // the transport is gone: no alert
}

TEST(BadInput, OversizedRecordIsRecordOverflow) {
  Engine s = fresh_server();
  // 2^14 + 2048 + 1 announced; the header alone is enough to refuse.
  size_t n = codec::max_ciphertext + 1;
  codec::Bytes h = {22, 3, 1, uint8_t(n >> 8), uint8_t(n)};
  s.feed(h);
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::record_overflow);
  expect_sent(s, AlertDescription::record_overflow);
}

TEST(BadInput, PlaintextOver16KIsRecordOverflow) {
  Engine s = fresh_server();
  s.feed(record(22, 0x0301, codec::Bytes(codec::max_plaintext + 1, 0)));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::record_overflow);
}

TEST(BadInput, WrongRecordMajorVersionIsProtocolVersion) {
  Engine s = fresh_server();
  s.feed(record(22, 0x0201, {1, 0, 0, 0}));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::protocol_version);
  expect_sent(s, AlertDescription::protocol_version);
}

// An SSL 2.0-format CLIENT-HELLO (RFC 6101 E.2: length with the top bit set, msg_type 1, version,
// cipher_specs, session_id and challenge lengths) offering SSL 2.0 or TLS 1.0 is refused: SSL 2.0 is not
// spoken, nor its hello format accepted.
TEST(BadInput, Sslv2HelloIsProtocolVersion) {
  for (uint16_t offered : {uint16_t(0x0002), uint16_t(0x0301)}) {
    Engine s = fresh_server();
    codec::Bytes body = {1, uint8_t(offered >> 8), uint8_t(offered), 0, 3, 0, 0, 0, 16, 0x00, 0x00, 0x2f};
    for (int i = 0; i < 16; ++i) body.push_back(uint8_t(i));
    codec::Bytes hello = {uint8_t(0x80 | body.size() >> 8), uint8_t(body.size())};
    hello.insert(hello.end(), body.begin(), body.end());
    s.feed(hello);
    expect_plain_fatal_alert(s.pending_output(), AlertDescription::protocol_version);
    expect_sent(s, AlertDescription::protocol_version);
    EXPECT_FALSE(s.handshake_done());
  }
}

TEST(BadInput, RecordVersionMustMatchAfterServerHello) {
  Pair p(client_config(), server_config());
  p.client.start();
  p.server.feed(take_output(p.client));
  p.client.feed(take_output(p.server));
  p.server.feed(take_output(p.client));
  codec::Bytes flight = take_output(p.server);  // ChangeCipherSpec, Finished
  ASSERT_EQ(flight[0], 20);
  ASSERT_EQ(flight[2], 3);  // TLS 1.2
  flight[2] = 1;            // claims TLS 1.0 after negotiating 1.2
  p.client.feed(flight);
  expect_sent(p.client, AlertDescription::protocol_version);
  codec::Bytes alert = take_output(p.client);  // encrypted: the client's keys are active
  ASSERT_FALSE(alert.empty());
  EXPECT_EQ(alert[0], 21);
  p.server.feed(alert);
  expect_received(p.server, AlertDescription::protocol_version);
}

TEST(BadInput, PlaintextAlertWithTheClientsVersionIsRead) {
  // The server picks TLS 1.0; a TLS 1.2-only client refuses it with protocol_version in a 1.2 record.
  Options so = server_options();
  so.versions = {Version::tlsv1};
  Pair p(client_config(), make_config(Role::server, so));
  p.client.start();
  p.server.feed(take_output(p.client));
  ASSERT_FALSE(take_output(p.server).empty());  // ServerHello (TLS 1.0) ... ServerHelloDone
  p.server.feed(record(21, 0x0303, {2, uint8_t(AlertDescription::protocol_version)}));
  expect_received(p.server, AlertDescription::protocol_version);
}

TEST(BadInput, FinishedFirstIsUnexpectedMessage) {
  Engine s = fresh_server();
  codec::Bytes fin = {20, 0, 0, 12};
  fin.resize(16, 0xaa);
  s.feed(record(22, 0x0301, fin));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::unexpected_message);
  expect_sent(s, AlertDescription::unexpected_message);
}

TEST(BadInput, AppDataBeforeHandshakeIsUnexpectedMessage) {
  Engine s = fresh_server();
  s.feed(record(23, 0x0301, {'h', 'i'}));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::unexpected_message);
  Engine c(client_config(), PeerId{"localhost", 1});
  c.start();
  take_output(c);
  c.feed(record(23, 0x0303, {'h', 'i'}));
  expect_plain_fatal_alert(c.pending_output(), AlertDescription::unexpected_message);
  expect_sent(c, AlertDescription::unexpected_message);
}

TEST(BadInput, UnknownHandshakeTypeIsUnexpectedMessage) {
  Engine s = fresh_server();
  s.feed(record(22, 0x0301, {99, 0, 0, 0}));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::unexpected_message);
}

TEST(BadInput, UndecodableClientHelloIsDecodeError) {
  Engine s = fresh_server();
  s.feed(record(22, 0x0301, {1, 0, 0, 3, 3, 3, 0}));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::decode_error);
}

TEST(BadInput, OverlongHandshakeMessageIsDecodeError) {
  Engine s = fresh_server();
  s.feed(record(22, 0x0301, {1, 0xff, 0xff, 0xff}));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::decode_error);
}

TEST(BadInput, CcsInsideFragmentedHandshakeMessage) {
  Pair p(client_config(), server_config());
  p.client.start();
  codec::Bytes hello = take_output(p.client);
  // The first 10 bytes of the ClientHello body in one record, then a ChangeCipherSpec.
  codec::Bytes part(hello.begin() + 5, hello.begin() + 15);
  p.server.feed(record(22, 0x0301, part));
  EXPECT_FALSE(p.server.error());
  p.server.feed(record(20, 0x0301, {1}));
  expect_plain_fatal_alert(p.server.pending_output(), AlertDescription::unexpected_message);
}

TEST(BadInput, HandshakeSplitAcrossRecordsIsReassembled) {
  Pair p(client_config(), server_config());
  p.client.start();
  codec::Bytes hello = take_output(p.client);
  codec::ByteView body = codec::ByteView(hello).subspan(5);
  for (size_t at = 0; at < body.size(); at += 7) {
    codec::ByteView piece = body.subspan(at, std::min<size_t>(7, body.size() - at));
    p.server.feed(record(22, 0x0301, codec::Bytes(piece.begin(), piece.end())));
  }
  EXPECT_FALSE(p.server.error()) << describe(p.server.error());
  p.pump();
  EXPECT_TRUE(p.client.handshake_done()) << describe(p.client.error());
}

TEST(BadInput, FlippedCiphertextByteIsBadRecordMac) {
  Pair p(client_config(), server_config());
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done());
  const uint8_t msg[] = "attack at dawn";
  ASSERT_TRUE(p.client.send(msg).ok());
  codec::Bytes rec = take_output(p.client);
  rec[rec.size() / 2 + 3] ^= 0x01;
  p.server.feed(rec);
  expect_sent(p.server, AlertDescription::bad_record_mac);
  EXPECT_EQ(p.server.error()->state, "connection");
  EXPECT_TRUE(p.server.app_data().empty());
  // The alert is encrypted; the client reads it.
  codec::Bytes alert = take_output(p.server);
  EXPECT_EQ(alert[0], 21);
  EXPECT_GT(alert.size(), 7u);
  p.client.feed(alert);
  expect_received(p.client, AlertDescription::bad_record_mac);
}

TEST(BadInput, BadFinishedIsDecryptError) {
  // Tamper with a part of the ClientHello that changes neither keys nor choices (a suite the server
  // does not pick): only the transcripts differ, so the Finished check is what catches it. With the
  // extended master secret (RFC 7627) the transcript is in the keys too: the client's Finished then
  // does not even decrypt (bad_record_mac).
  for (bool ems : {false, true}) {
    SCOPED_TRACE(ems ? "extended master secret" : "classic master secret");
    Options co;
    co.ciphers = std::vector<SuiteSpec>{find_suite(0x002F)->spec, find_suite(0x0035)->spec};
    co.extended_master_secret = ems;
    Pair p(client_config(co), server_config());
    p.client.start();
    codec::Bytes hello = take_output(p.client);
    size_t suites_at = 5 + 4 + 2 + 32 + 1;  // record, handshake header, version, random, empty session id
    ASSERT_EQ(hello[suites_at + 1], 4);     // two suites
    ASSERT_EQ(hello[suites_at + 5], 0x35);
    hello[suites_at + 5] = 0x3d;
    p.server.feed(hello);
    p.pump();
    const AlertDescription want = ems ? AlertDescription::bad_record_mac : AlertDescription::decrypt_error;
    expect_sent(p.server, want);
    EXPECT_EQ(p.server.error()->state, "cipher");
    expect_received(p.client, want);
  }
}

TEST(BadInput, BadCertificateVerifyIsBadCertificate) {
  Options so = server_options();
  so.verify = Verify::verify_peer;
  so.cacertfile = data_path("ca.pem");
  Options co;
  co.certfile = data_path("client-rsa.pem");
  co.keyfile = data_path("client-rsa-key.pem");
  co.ciphers = std::vector<SuiteSpec>{find_suite(0x002F)->spec};
  Pair p(client_config(co), make_config(Role::server, so));
  p.client.start();
  p.server.feed(take_output(p.client));
  p.client.feed(take_output(p.server));
  codec::Bytes flight = take_output(p.client);
  // The first record holds Certificate, ClientKeyExchange, CertificateVerify; its last byte is the
  // signature's.
  size_t first_len = size_t(flight[3]) << 8 | flight[4];
  flight[5 + first_len - 1] ^= 0x01;
  p.server.feed(flight);
  expect_plain_fatal_alert(p.server.pending_output(), AlertDescription::bad_certificate);
  expect_sent(p.server, AlertDescription::bad_certificate);
  EXPECT_EQ(p.server.error()->state, "cipher");
}

TEST(BadInput, TooManyWarningAlertsIsDecodeError) {
  Engine s = fresh_server();
  for (int i = 0; i < 10; ++i) s.feed(record(21, 0x0301, {1, 90}));
  EXPECT_FALSE(s.error());
  s.feed(record(21, 0x0301, {1, 90}));
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::decode_error);
}

TEST(BadInput, ReceivedFatalAlert) {
  Engine s = fresh_server();
  s.feed(record(21, 0x0301, {2, 40}));
  expect_received(s, AlertDescription::handshake_failure);
  EXPECT_TRUE(s.pending_output().empty());
}

TEST(BadInput, HelloRequestIgnoredDuringHandshakeRefusedAfter) {
  Pair p(client_config(), server_config());
  p.client.start();
  take_output(p.client);
  p.client.feed(record(22, 0x0303, {0, 0, 0, 0}));
  EXPECT_FALSE(p.client.error());
  EXPECT_TRUE(p.client.pending_output().empty());
  EXPECT_EQ(p.client.state_name(), "hello");
}

// Runs a handshake up to the server's first flight and hands the client that ServerHello with one
// more extension (type, body) appended.
void feed_server_hello_with_extension(Pair& p, codec::Bytes ext) {
  p.client.start();
  p.server.feed(take_output(p.client));
  codec::Bytes flight = take_output(p.server);
  size_t rec_len = size_t(flight[3]) << 8 | flight[4];
  codec::Bytes body(flight.begin() + 5, flight.begin() + 5 + ptrdiff_t(rec_len));
  size_t sh_len = size_t(body[1]) << 16 | size_t(body[2]) << 8 | body[3];
  codec::Bytes sh(body.begin() + 4, body.begin() + 4 + ptrdiff_t(sh_len));
  size_t ext_at = 2 + 32 + 1 + sh[34] + 2 + 1;
  ASSERT_LT(ext_at, sh.size());
  size_t ext_len = (size_t(sh[ext_at]) << 8 | sh[ext_at + 1]) + ext.size();
  sh[ext_at] = uint8_t(ext_len >> 8);
  sh[ext_at + 1] = uint8_t(ext_len);
  sh.insert(sh.end(), ext.begin(), ext.end());
  codec::Bytes msg = {2, uint8_t(sh.size() >> 16), uint8_t(sh.size() >> 8), uint8_t(sh.size())};
  msg.insert(msg.end(), sh.begin(), sh.end());
  p.client.feed(record(22, 0x0303, msg));
}

TEST(BadInput, ServerHelloWithUnofferedExtension) {
  Pair p(client_config(), server_config());
  feed_server_hello_with_extension(p, {0x12, 0x34, 0, 0});
  expect_plain_fatal_alert(p.client.pending_output(), AlertDescription::unsupported_extension);
}

TEST(BadInput, ServerHelloEchoingSupportedGroupsIsTolerated) {
  // The client offered supported_groups, so a server that echoes it has not sent an unrequested
  // extension (RFC 5246 7.4.1.4).
  Pair p(client_config(), server_config());
  feed_server_hello_with_extension(p, {0x00, 0x0a, 0, 4, 0, 2, 0, 23});
  EXPECT_FALSE(p.client.error()) << p.client.error()->detail;
}

TEST(BadInput, CloseNotifyIsAnswered) {
  Pair p(client_config(), server_config());
  p.handshake();
  ASSERT_TRUE(p.server.handshake_done());
  p.server.close();
  p.client.feed(take_output(p.server));
  EXPECT_TRUE(p.client.peer_closed());
  EXPECT_FALSE(p.client.error());
  EXPECT_FALSE(p.client.pending_output().empty());  // our close_notify
  p.server.feed(take_output(p.client));
  EXPECT_TRUE(p.server.peer_closed());
}

TEST(BadInput, SendBeforeHandshakeFails) {
  Engine c(client_config(), PeerId{"localhost", 1});
  c.start();
  const uint8_t b[] = {1};
  EXPECT_FALSE(c.send(b).ok());
}

}  // namespace
}  // namespace essl::test

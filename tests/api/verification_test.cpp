// Certificate verification in real handshakes, essl against essl over loopback: verify_peer and
// verify_none with their default funs, a user verify_fun (events, user state, {fail, Reason}), depth,
// partial_chain, the host name check, crl_check with the internal CRL cache, client authentication
// (fail_if_no_peer_cert) and sessions made under other verification settings.
#include <fstream>

#include "tests/api/loopback.hpp"
#include "tests/crl_cache/crl_files.hpp"

namespace essl::test {
namespace {

std::string pkix_file(const std::string& name) { return data_file("pkix/" + name); }

// A server presenting int-server under int-ca (tests/data/pkix).
Options intermediate_server() {
  Options o;
  o.certfile = pkix_file("int-server-chain.pem");
  o.keyfile = pkix_file("int-server-key.pem");
  return o;
}

// What a client's handshake came to: empty when it connected, else the error.
struct Outcome {
  bool connected = false;
  Error client, server;
};

Outcome handshake(const Options& server_opts, const Options& client_opts, const std::string& host = {}) {
  Attempt p = attempt_pair(server_opts, client_opts, "127.0.0.1", host);
  Outcome o;
  o.connected = p.connected.ok() && p.accepted.socket.ok() && p.accepted.handshake_result.ok();
  if (!p.connected) o.client = p.connected.error();
  if (p.accepted.socket && !p.accepted.handshake_result) o.server = p.accepted.handshake_result.error();
  return o;
}

void expect_client_refused(const Outcome& o, AlertDescription alert, const std::string& reason) {
  ASSERT_FALSE(o.connected);
  EXPECT_EQ(o.client.kind, Error::Kind::tls_alert) << format_error(o.client);
  EXPECT_EQ(o.client.alert, alert) << format_error(o.client);
  EXPECT_TRUE(o.client.alert_sent);
  EXPECT_NE(o.client.detail.find(reason), std::string::npos) << o.client.detail;
  // The server received the client's alert.
  EXPECT_EQ(o.server.kind, Error::Kind::tls_alert) << format_error(o.server);
  EXPECT_EQ(o.server.alert, alert);
  EXPECT_FALSE(o.server.alert_sent);
}

std::string event_name(const VerifyEvent& e) {
  if (const auto* b = std::get_if<BadCert>(&e)) return b->text();
  if (const auto* x = std::get_if<ExtensionEvent>(&e)) return "{extension," + x->oid + "}";
  return std::holds_alternative<Valid>(e) ? "valid" : "valid_peer";
}

TEST(Verify, PeerFromAnUnknownCaIsRefused) {
  Options co = client_options("other-ca.pem");
  expect_client_refused(handshake(server_options(), co), AlertDescription::unknown_ca, "unknown_ca");
}

TEST(Verify, VerifyNoneAcceptsAnyPath) {
  Options co = client_options("other-ca.pem");
  co.verify = Verify::verify_none;
  EXPECT_TRUE(handshake(server_options(), co).connected);
}

// The fun sees every certificate from the one below the anchor down to the peer, with the user state
// threaded through; an extension it does not know is reported first.
TEST(Verify, FunSeesEachStepWithItsState) {
  auto trace = std::make_shared<std::vector<std::string>>();
  Options co = client_options();
  co.verify_fun = VerifyFun{[trace](std::span<const uint8_t>, const VerifyEvent& e, std::any& state) {
                              const int n = std::any_cast<int>(state);
                              trace->push_back(std::to_string(n) + ":" + event_name(e));
                              state = n + 1;
                              if (std::holds_alternative<ExtensionEvent>(e)) return VerifyResult::unknown();
                              if (std::holds_alternative<BadCert>(e)) return VerifyResult::fail(std::get<BadCert>(e));
                              return VerifyResult::valid();
                            },
                            0};
  ASSERT_TRUE(handshake(intermediate_server(), co).connected);
  // The reference's trace for a peer and one intermediate: int-ca's SKI and AKI, valid; then the
  // peer's SAN, SKI and AKI, valid_peer; numbered by the state each call received.
  EXPECT_EQ(*trace, (std::vector<std::string>{"0:{extension,2.5.29.14}", "1:{extension,2.5.29.35}", "2:valid",
                                              "3:{extension,2.5.29.17}", "4:{extension,2.5.29.14}",
                                              "5:{extension,2.5.29.35}", "6:valid_peer"}));
}

TEST(Verify, FunFailsWithItsOwnReason) {
  Options co = client_options();
  co.verify_fun = VerifyFun{[](std::span<const uint8_t>, const VerifyEvent& e, std::any&) {
                              if (std::holds_alternative<ValidPeer>(e)) return VerifyResult::fail(std::string("not_this_one"));
                              return std::holds_alternative<ExtensionEvent>(e) ? VerifyResult::unknown()
                                                                               : VerifyResult::valid();
                            },
                            {}};
  expect_client_refused(handshake(server_options(), co), AlertDescription::handshake_failure, "not_this_one");
}

TEST(Verify, FunMayAcceptAnUnknownCa) {
  auto seen = std::make_shared<std::vector<std::string>>();
  Options co = client_options("other-ca.pem");
  co.verify_fun = VerifyFun{[seen](std::span<const uint8_t>, const VerifyEvent& e, std::any&) {
                              seen->push_back(event_name(e));
                              return std::holds_alternative<ExtensionEvent>(e) ? VerifyResult::unknown()
                                                                               : VerifyResult::valid();
                            },
                            {}};
  ASSERT_TRUE(handshake(server_options(), co).connected);
  ASSERT_FALSE(seen->empty());
  EXPECT_EQ(seen->front(), "{bad_cert,unknown_ca}");
}

TEST(Verify, DepthCountsIntermediates) {
  Options co = client_options();
  co.depth = 0;
  expect_client_refused(handshake(intermediate_server(), co), AlertDescription::handshake_failure,
                        "max_path_length_reached");
  co.depth = 1;
  EXPECT_TRUE(handshake(intermediate_server(), co).connected);
}

TEST(Verify, PartialChainChoosesATrustedIntermediate) {
  std::ifstream in(pkix_file("int-ca.der"), std::ios::binary);
  const Der int_ca((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto chains = std::make_shared<std::vector<std::vector<Der>>>();
  Options co = client_options("other-ca.pem");  // the root is not trusted
  co.partial_chain = [int_ca, chains](const std::vector<Der>& root_first) -> std::optional<Der> {
    chains->push_back(root_first);
    for (const Der& c : root_first)
      if (c == int_ca) return c;
    return std::nullopt;
  };
  ASSERT_TRUE(handshake(intermediate_server(), co).connected);
  ASSERT_FALSE(chains->empty());
  EXPECT_EQ(chains->front().front(), int_ca) << "partial_chain receives the chain root first";

  co.partial_chain = [](const std::vector<Der>&) -> std::optional<Der> { return std::nullopt; };
  expect_client_refused(handshake(intermediate_server(), co), AlertDescription::unknown_ca, "unknown_ca");
}

TEST(Verify, HostNameIsCheckedAgainstTheNameSent) {
  Options co = client_options();
  co.server_name_indication = std::string("example.com");
  expect_client_refused(handshake(server_options(), co), AlertDescription::handshake_failure,
                        "hostname_check_failed");
  // By name and by address: server-rsa names localhost and 127.0.0.1.
  EXPECT_TRUE(handshake(server_options(), client_options(), "localhost").connected);
  EXPECT_TRUE(handshake(server_options(), client_options(), "127.0.0.1").connected);
  // server_name_indication disable: no name to check.
  Options none = client_options();
  none.server_name_indication = DisableSni{};
  Options wild = server_options();
  wild.certfile = pkix_file("wildcard-server.pem");
  wild.keyfile = pkix_file("wildcard-server-key.pem");
  EXPECT_FALSE(handshake(wild, client_options(), "localhost").connected);
  EXPECT_TRUE(handshake(wild, none, "localhost").connected);
}

// server-rsa is revoked (keyCompromise) by the test CA's CRL.
TEST(Verify, CrlCheckUsesTheInternalCache) {
  const CrlFiles& crls = CrlFiles::get();
  Options co = client_options();
  co.crl_check = CrlCheck::on;
  // No CRL of the CA anywhere: the status cannot be determined.
  (void)ssl_crl_cache::delete_(ssl_crl_cache::File{crls.ca_revoked_pem.string()});
  expect_client_refused(handshake(server_options(), co), AlertDescription::bad_certificate,
                        "revocation_status_undetermined");
  Options lenient = co;
  lenient.crl_check = CrlCheck::best_effort;
  EXPECT_TRUE(handshake(server_options(), lenient).connected);

  ASSERT_TRUE(ssl_crl_cache::insert(ssl_crl_cache::File{crls.ca_revoked_pem.string()}));
  expect_client_refused(handshake(server_options(), co), AlertDescription::certificate_revoked,
                        "{revoked,keyCompromise}");
  EXPECT_FALSE(handshake(server_options(), lenient).connected);
  // The ECDSA server is not on the list.
  Options ecdsa = server_options("server-ecdsa");
  EXPECT_TRUE(handshake(ecdsa, co).connected);
  ASSERT_TRUE(ssl_crl_cache::delete_(ssl_crl_cache::File{crls.ca_revoked_pem.string()}));
  EXPECT_FALSE(handshake(ecdsa, co).connected);
}

Options client_auth_server(bool fail_if_no_peer_cert) {
  Options so = server_options();
  so.verify = Verify::verify_peer;
  so.cacertfile = data_file("ca.pem");
  so.fail_if_no_peer_cert = fail_if_no_peer_cert;
  return so;
}

Options client_with_cert(const std::string& cert) {
  Options co = client_options();
  co.certfile = data_file(cert + ".pem");
  co.keyfile = data_file(cert + "-key.pem");
  return co;
}

TEST(ClientAuth, FailIfNoPeerCertAsDocumented) {
  // verify_peer alone: a client without a certificate is accepted.
  Attempt optional = attempt_pair(client_auth_server(false), client_options());
  ASSERT_TRUE(optional.connected && optional.accepted.handshake_result);
  EXPECT_FALSE(optional.server.peercert());
  // With fail_if_no_peer_cert the server ends the handshake.
  Outcome required = handshake(client_auth_server(true), client_options());
  ASSERT_FALSE(required.connected);
  EXPECT_EQ(required.server.alert, AlertDescription::handshake_failure);
  EXPECT_TRUE(required.server.alert_sent);
  // A certificate the server's CA issued passes; its leaf is the server's peercert.
  Attempt with_cert = attempt_pair(client_auth_server(true), client_with_cert("client-rsa"));
  ASSERT_TRUE(with_cert.connected && with_cert.accepted.handshake_result);
  EXPECT_TRUE(with_cert.server.peercert());
}

TEST(ClientAuth, ClientChainIsValidated) {
  Options so = client_auth_server(true);
  so.cacertfile = data_file("other-ca.pem");
  Outcome o = handshake(so, client_with_cert("client-rsa"));
  ASSERT_FALSE(o.connected);
  EXPECT_EQ(o.server.alert, AlertDescription::unknown_ca) << format_error(o.server);
  EXPECT_TRUE(o.server.alert_sent);
  EXPECT_EQ(o.client.alert, AlertDescription::unknown_ca) << format_error(o.client);
  // A server certificate (serverAuth only) does not authenticate a client.
  Outcome wrong_use = handshake(client_auth_server(true), client_with_cert("server-rsa"));
  ASSERT_FALSE(wrong_use.connected);
  EXPECT_EQ(wrong_use.server.alert, AlertDescription::handshake_failure) << format_error(wrong_use.server);
  EXPECT_NE(wrong_use.server.detail.find("invalid_ext_key_usage"), std::string::npos) << wrong_use.server.detail;
}

// A session is resumed only under the verification settings that made it.
TEST(Verify, SessionsAreNotResumedAcrossVerificationSettings) {
  ListenSocket ls;
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto l = listen(0, server_options(), sock);
  ASSERT_TRUE(l);
  ls = std::move(*l);
  auto once = [&](const Options& co) {
    auto pending = accept_async(ls);
    auto c = connect("127.0.0.1", ls.port(), co, 10s, passive_binary());
    auto a = pending.get();
    EXPECT_TRUE(c) << format_error(c.error());
    if (!c) return false;
    auto info = c->connection_information();
    return info && info->resumed;
  };
  Options co = client_options();
  once(co);
  EXPECT_TRUE(once(co));
  Options other = co;
  other.verify_fun = VerifyFun{[](std::span<const uint8_t>, const VerifyEvent& e, std::any&) {
                                 return std::holds_alternative<ExtensionEvent>(e) ? VerifyResult::unknown()
                                                                                  : VerifyResult::valid();
                               },
                               {}};
  EXPECT_FALSE(once(other));
  Options crl = co;
  crl.crl_check = CrlCheck::best_effort;
  EXPECT_FALSE(once(crl));
}

}  // namespace
}  // namespace essl::test

// validate() naming the bad option, and format_error's texts.
#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

Error options_error(const Options& o) {
  auto r = validate(o);
  EXPECT_FALSE(r);
  return r ? Error{} : r.error();
}

TEST(Validate, DefaultsAreValid) { EXPECT_TRUE(validate(Options{})); }

TEST(Validate, NamesTheBadOption) {
  Options o;
  o.versions = {static_cast<Version>(0x0305)};
  EXPECT_EQ(options_error(o).option, "versions");

  o = Options{};
  o.depth = -1;
  auto e = options_error(o);
  EXPECT_EQ(e.kind, Error::Kind::options);
  EXPECT_EQ(e.option, "depth");

  o = Options{};
  o.alert_timeout = -5;
  EXPECT_EQ(options_error(o).option, "alert_timeout");

  o = Options{};
  o.ciphers = std::vector<SuiteSpec>{};
  EXPECT_EQ(options_error(o).option, "ciphers");

  o = Options{};
  o.verify = Verify::verify_peer;
  EXPECT_EQ(options_error(o).option, "cacertfile");

  o = Options{};
  o.fail_if_no_peer_cert = true;
  EXPECT_EQ(options_error(o).option, "fail_if_no_peer_cert");

  o = Options{};
  o.eccs = std::vector<std::string>{};
  EXPECT_EQ(options_error(o).option, "eccs");
  o.eccs = std::vector<std::string>{"x25519", "prime256v1"};
  EXPECT_EQ(options_error(o).option, "eccs");
  o.eccs = std::vector<std::string>{"secp521r1", "x25519"};
  EXPECT_TRUE(validate(o));
}

// PSK and SRP options: {user_lookup_fun, {Fun, UserState}}, psk_identity, srp_identity.
// GCC 12 at -O2 reports the std::any inside a freshly emplaced optional as maybe-uninitialized (a known
// false positive of its std::any inlining); the test itself reads nothing uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
TEST(Validate, KeyExchangeOptions) {
  Options o;
  o.user_lookup_fun.emplace();  // no function
  EXPECT_EQ(options_error(o).option, "user_lookup_fun");
  o.user_lookup_fun->fun = [](LookupKind, const std::optional<std::string>&, const std::any&) {
    return LookupResult{LookupError{}};
  };
  o.user_lookup_fun->user_state = 42;
  EXPECT_TRUE(validate(o));
  o.psk_identity = "";
  EXPECT_EQ(options_error(o).option, "psk_identity");
  o.psk_identity = "client";
  o.srp_identity = std::make_pair(std::string(), std::string("secret"));
  EXPECT_EQ(options_error(o).option, "srp_identity");
  o.srp_identity = std::make_pair(std::string(256, 'u'), std::string("secret"));
  EXPECT_EQ(options_error(o).option, "srp_identity");
  o.srp_identity = std::make_pair(std::string("user"), std::string("secret"));
  EXPECT_TRUE(validate(o));
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

TEST(Validate, ListenAndConnectReportOptionErrors) {
  Options o = server_options();
  o.depth = -2;
  auto ls = listen(0, o, passive_binary());
  ASSERT_FALSE(ls);
  EXPECT_EQ(ls.error().kind, Error::Kind::options);
  EXPECT_EQ(ls.error().option, "depth");

  Options c;
  c.versions = {static_cast<Version>(0x0200)};
  auto s = connect("127.0.0.1", 1, c, 1s, passive_binary());
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().option, "versions");
  EXPECT_NE(format_error(s.error()).find("versions"), std::string::npos);
}

TEST(Validate, MissingCertificateFileIsAnOptionsError) {
  Options o;
  o.certfile = data_file("no-such-file.pem");
  o.keyfile = o.certfile;
  auto ls = listen(0, o, passive_binary());
  ASSERT_FALSE(ls);
  EXPECT_EQ(ls.error().kind, Error::Kind::options) << format_error(ls.error());
}

TEST(FormatError, Texts) {
  EXPECT_EQ(format_error(Error::tls_alert(AlertDescription::unknown_ca, true, "certify")),
            "TLS alert: unknown ca (sent by us in state certify)");
  EXPECT_EQ(format_error(Error::tls_alert(AlertDescription::handshake_failure, false, "hello")),
            "TLS alert: handshake failure (sent by the peer in state hello)");
  EXPECT_EQ(format_error(Error::tls_alert(AlertDescription::bad_record_mac, false)),
            "TLS alert: bad record mac (sent by the peer)");
  EXPECT_EQ(format_error(Error::tls_alert(AlertDescription::unknown_ca, true, "certify", "unknown_ca")),
            "TLS alert: unknown ca (sent by us in state certify): unknown_ca");
  EXPECT_EQ(format_error(Error::closed()), "TLS connection is closed");
  EXPECT_EQ(format_error(Error::timeout()), "Timeout");
  EXPECT_EQ(format_error(Error::options("versions", "unknown version 'tlsv9'")),
            "options error: versions: unknown version 'tlsv9'");
  EXPECT_EQ(format_error(Error::transport("connect: Connection refused")),
            "transport error: connect: Connection refused");
  EXPECT_EQ(format_error(Error::other("no_peercert")), "The peer sent no certificate (no_peercert)");
}

}  // namespace
}  // namespace essl::test

namespace essl::test {
namespace {

// protocol_version: the versions of connections that give none; the versions option overrides it.
TEST(AppConfig, ProtocolVersionIsTheDefaultVersions) {
  const AppConfig before = app_config();
  EXPECT_EQ(versions().supported, (std::vector<Version>{Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1}));
  EXPECT_EQ(versions().available,
            (std::vector<Version>{Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1, Version::sslv3}));

  AppConfig bad;
  bad.protocol_version = std::vector<Version>{static_cast<Version>(0x0200)};
  auto r = set_app_config(bad);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().option, "protocol_version");
  bad.protocol_version = std::vector<Version>{};
  EXPECT_FALSE(set_app_config(bad));

  AppConfig old_only;
  old_only.protocol_version = std::vector<Version>{Version::tlsv1, Version::tlsv1_1};
  ASSERT_TRUE(set_app_config(old_only));
  EXPECT_EQ(versions().supported, (std::vector<Version>{Version::tlsv1_1, Version::tlsv1}));
  {
    auto p = connect_pair(server_options(), client_options());
    auto info = p.client.connection_information();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->protocol, Version::tlsv1_1);
  }
  {
    Options co = client_options();
    co.versions = {Version::tlsv1_2, Version::tlsv1_1};  // the option wins over protocol_version
    Options so = server_options();
    so.versions = {Version::tlsv1_2};
    auto p = connect_pair(so, co);
    auto info = p.client.connection_information();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->protocol, Version::tlsv1_2);
  }
  // SSL 3.0 is available when asked for.
  AppConfig ssl3;
  ssl3.protocol_version = std::vector<Version>{Version::sslv3};
  ASSERT_TRUE(set_app_config(ssl3));
  {
    auto p = connect_pair(server_options(), client_options());
    auto info = p.client.connection_information();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->protocol, Version::sslv3);
  }
  ASSERT_TRUE(set_app_config(before));
  EXPECT_EQ(versions().supported, (std::vector<Version>{Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1}));
}

}  // namespace
}  // namespace essl::test

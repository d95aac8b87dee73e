// -ssl_dist_opt, -proto_dist and ESSL_DIST_FLAGS (User's Guide 1.4.3-1.4.5).
#include "dist/dist_options.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace essl::dist {
namespace {

std::string data_file(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

using Words = std::vector<std::string>;

DistOptions parsed(const Words& words) {
  auto r = parse_args(words);
  EXPECT_TRUE(r) << (r ? "" : r.error().option + ": " + r.error().detail);
  return r ? *r : DistOptions{};
}

Error parse_error(const Words& words) {
  auto r = parse_args(words);
  EXPECT_FALSE(r);
  return r ? Error{} : r.error();
}

// The option an error names, checking that it is an options error.
std::string bad_option(const Words& words) {
  Error e = parse_error(words);
  EXPECT_EQ(e.kind, Error::Kind::options);
  return e.option;
}

TEST(DistOptions, TheSpecsExampleLine) {
  const std::string pem = data_file("server-rsa.pem");
  Words words = {"-boot", "/home/me/ssl/start_ssl", "-proto_dist", "inet_tls",
                 "-ssl_dist_opt", "server_certfile", pem,
                 "-ssl_dist_opt", "server_secure_renegotiate", "true", "client_secure_renegotiate", "true",
                 "-sname", "ssl_test"};
  DistOptions d = parsed(words);
  EXPECT_EQ(d.server.certfile, pem);
  EXPECT_TRUE(d.server.keyfile.empty());  // defaults to certfile when the key is loaded
  EXPECT_TRUE(d.server.secure_renegotiate);
  EXPECT_TRUE(d.client.secure_renegotiate);
  EXPECT_FALSE(d.ipv6);
}

TEST(DistOptions, TheSpecsExampleAsAFlagString) {
  const std::string pem = data_file("server-rsa.pem");
  auto r = parse_flags("-boot /home/me/ssl/start_ssl -proto_dist inet_tls\n  -ssl_dist_opt server_certfile \"" + pem +
                       "\"\n  -ssl_dist_opt server_secure_renegotiate true client_secure_renegotiate true");
  ASSERT_TRUE(r) << r.error().option << ": " << r.error().detail;
  EXPECT_EQ(r->server.certfile, pem);
  EXPECT_TRUE(r->server.secure_renegotiate);
  EXPECT_TRUE(r->client.secure_renegotiate);
}

TEST(DistOptions, NothingGivenIsTheDefaults) {
  DistOptions d = parsed({});
  EXPECT_TRUE(d.server.certfile.empty());
  EXPECT_EQ(d.server.verify, Verify::verify_none);
  EXPECT_TRUE(d.client.reuse_sessions);
  EXPECT_FALSE(d.ipv6);
  parsed({"-ssl_dist_opt"});  // an empty group is allowed
}

TEST(DistOptions, RepeatedFlagsAddUpAndTheLaterValueWins) {
  DistOptions d = parsed({"-ssl_dist_opt", "server_depth", "3", "-sname", "a", "-ssl_dist_opt", "client_depth", "4",
                          "-ssl_dist_opt", "server_depth", "5", "server_reuse_sessions", "false"});
  EXPECT_EQ(d.server.depth, 5);
  EXPECT_EQ(d.client.depth, 4);
  EXPECT_FALSE(d.server.reuse_sessions);
  EXPECT_TRUE(d.client.reuse_sessions);
}

TEST(DistOptions, EveryOptionOnBothSides) {
  const std::string cert = data_file("server-rsa.pem"), key = data_file("server-rsa-key.pem");
  const std::string ca = data_file("ca.pem"), dh = data_file("dh2048.pem");
  for (const std::string side : {"server", "client"}) {
    Words words = {"-ssl_dist_opt", side + "_certfile", cert, side + "_keyfile", key,
                   side + "_password", "secret", side + "_cacertfile", ca,
                   "-ssl_dist_opt", side + "_verify", "verify_peer", side + "_reuse_sessions", "false",
                   side + "_secure_renegotiate", "true", side + "_depth", "7",
                   side + "_hibernate_after", "1500", side + "_ciphers", "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384"};
    DistOptions d = parsed(words);
    const Options& o = side == "server" ? d.server : d.client;
    const Options& other = side == "server" ? d.client : d.server;
    EXPECT_EQ(o.certfile, cert);
    EXPECT_EQ(o.keyfile, key);
    EXPECT_EQ(o.password, "secret");
    EXPECT_EQ(o.cacertfile, ca);
    EXPECT_EQ(o.verify, Verify::verify_peer);
    EXPECT_FALSE(o.reuse_sessions);
    EXPECT_TRUE(o.secure_renegotiate);
    EXPECT_EQ(o.depth, 7);
    EXPECT_EQ(o.hibernate_after, 1500);
    ASSERT_TRUE(std::holds_alternative<std::string>(o.ciphers));
    EXPECT_EQ(std::get<std::string>(o.ciphers), "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384");
    // The other side is untouched.
    EXPECT_TRUE(other.certfile.empty());
    EXPECT_EQ(other.verify, Verify::verify_none);
    EXPECT_TRUE(other.reuse_sessions);
    EXPECT_EQ(other.depth, 1);
    EXPECT_FALSE(other.hibernate_after);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(other.ciphers));
  }
}

TEST(DistOptions, ServerOnlyOptions) {
  const std::string dh = data_file("dh2048.pem"), ca = data_file("ca.pem");
  DistOptions d = parsed({"-ssl_dist_opt", "server_dhfile", dh, "server_fail_if_no_peer_cert", "true",
                          "server_verify", "verify_peer", "server_cacertfile", ca});
  EXPECT_EQ(d.server.dhfile, dh);
  EXPECT_TRUE(d.server.fail_if_no_peer_cert);
  EXPECT_TRUE(d.client.dhfile.empty());

  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_dhfile", dh}), "client_dhfile");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_fail_if_no_peer_cert", "true"}), "client_fail_if_no_peer_cert");
}

TEST(DistOptions, RawSocketOptionsAreRefused) {
  for (const char* name : {"server_packet", "client_packet", "server_size", "client_active", "server_mode",
                           "client_header", "server_nodelay"}) {
    Error e = parse_error({"-ssl_dist_opt", name, "4"});
    EXPECT_EQ(e.kind, Error::Kind::options);
    EXPECT_EQ(e.option, name);
    EXPECT_NE(e.detail.find("raw socket option"), std::string::npos) << e.detail;
  }
}

TEST(DistOptions, UnknownAndComplexOptionsAreRefused) {
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_frobnicate", "1"}), "server_frobnicate");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_verify_fun", "x"}), "client_verify_fun");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_versions", "tlsv1.2"}), "client_versions");
}

TEST(DistOptions, AnUnknownPrefixIsRefused) {
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "certfile", "x.pem"}), "certfile");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "peer_verify", "verify_none"}), "peer_verify");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "servercertfile", "x.pem"}), "servercertfile");
}

TEST(DistOptions, ANameWithoutItsValue) {
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_depth"}), "server_depth");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_depth", "2", "client_verify", "-sname", "x"}), "client_verify");
  // A value cannot start a new flag: -1 is a flag, as erl reads it.
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_depth", "-1"}), "server_depth");
}

TEST(DistOptions, BadBooleans) {
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_secure_renegotiate", "yes"}), "server_secure_renegotiate");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_reuse_sessions", "TRUE"}), "client_reuse_sessions");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_fail_if_no_peer_cert", "1"}), "server_fail_if_no_peer_cert");
}

TEST(DistOptions, BadIntegers) {
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_depth", "two"}), "server_depth");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_depth", "3x"}), "client_depth");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_hibernate_after", "99999999999999"}), "client_hibernate_after");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_hibernate_after", ""}), "server_hibernate_after");
  EXPECT_EQ(parsed({"-ssl_dist_opt", "server_depth", "0", "client_hibernate_after", "0"}).server.depth, 0);
}

TEST(DistOptions, BadVerifyValue) {
  Error e = parse_error({"-ssl_dist_opt", "client_verify", "verify_maybe"});
  EXPECT_EQ(e.option, "client_verify");
  EXPECT_NE(e.detail.find("verify_maybe"), std::string::npos);
  EXPECT_EQ(parsed({"-ssl_dist_opt", "client_verify", "verify_none"}).client.verify, Verify::verify_none);
}

TEST(DistOptions, VerifyPeerNeedsTrustedCertificates) {
  // essl's own check of the side's options, named with the side.
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_verify", "verify_peer"}), "client_cacertfile");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_fail_if_no_peer_cert", "true"}), "server_fail_if_no_peer_cert");
}

TEST(DistOptions, ProtoDist) {
  EXPECT_TRUE(parsed({"-proto_dist", "inet6_tls", "-sname", "x"}).ipv6);
  EXPECT_FALSE(parsed({"-proto_dist", "inet_tls"}).ipv6);
  EXPECT_FALSE(parsed({"-proto_dist", "inet6_tls", "-proto_dist", "inet_tls"}).ipv6);  // the later wins
  EXPECT_EQ(bad_option({"-proto_dist", "inet_tcp"}), "proto_dist");
  EXPECT_EQ(bad_option({"-proto_dist", "inet6_tls_dist"}), "proto_dist");
  EXPECT_EQ(bad_option({"-proto_dist"}), "proto_dist");
}

TEST(DistOptions, OtherFlagsAreSkippedWithTheirArguments) {
  // server_depth after -pa is a directory to -pa, not an option; -extra ends the flags.
  DistOptions d = parsed({"plain", "-sname", "x", "-boot", "/b/start_ssl", "-pa", "dir1", "server_depth", "9",
                          "+K", "true", "-ssl_dist_opt", "server_depth", "2", "-setcookie", "abc",
                          "-extra", "-ssl_dist_opt", "server_packet", "4"});
  EXPECT_EQ(d.server.depth, 2);
}

TEST(DistOptions, SplitsLikeAShell) {
  auto r = split_flags("  -a 'one two'  \"three \\\"four\\\" \\$x\" five\\ six\tx''y '' a\"b c\"d\n\\'q ");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(*r, (Words{"-a", "one two", "three \"four\" $x", "five six", "xy", "", "ab cd", "'q"}));
  EXPECT_TRUE(split_flags("")->empty());
  EXPECT_TRUE(split_flags(" \n\t ")->empty());
  auto single = split_flags("'it''s' '\\n' \"a\\nb\"");
  ASSERT_TRUE(single);
  EXPECT_EQ(*single, (Words{"its", "\\n", "a\\nb"}));  // no escapes inside '...'; \n stays in "..."
}

TEST(DistOptions, UnbalancedQuotesAreErrors) {
  for (const char* s : {"-ssl_dist_opt server_password \"abc", "-ssl_dist_opt server_password 'abc", "abc\\"}) {
    auto r = split_flags(s);
    ASSERT_FALSE(r) << s;
    EXPECT_EQ(r.error().kind, Error::Kind::options);
    EXPECT_EQ(r.error().option, "flags");
    EXPECT_FALSE(parse_flags(s));
  }
}

TEST(DistOptions, QuotedValuesWithSpaces) {
  auto r = parse_flags("-ssl_dist_opt server_password 'my secret' client_password \"also secret\"");
  ASSERT_TRUE(r) << r.error().option << ": " << r.error().detail;
  EXPECT_EQ(r->server.password, "my secret");
  EXPECT_EQ(r->client.password, "also secret");
}

TEST(DistOptions, EnvironmentThenArguments) {
  const char* var = "ESSL_DIST_FLAGS_TEST";
  const std::string ca = data_file("ca.pem");
  // The variable alone is incomplete (verify_peer without cacertfile): only the whole is checked.
  ASSERT_EQ(::setenv(var, ("-proto_dist inet6_tls -ssl_dist_opt client_verify verify_peer server_depth 3 "
                           "client_depth 4 -sname node"),
                     1),
            0);
  Words args = {"-ssl_dist_opt", "client_cacertfile", ca, "server_depth", "5"};
  auto r = from_environment_and_args(args, var);
  ASSERT_TRUE(r) << r.error().option << ": " << r.error().detail;
  EXPECT_TRUE(r->ipv6);
  EXPECT_EQ(r->client.verify, Verify::verify_peer);
  EXPECT_EQ(r->client.cacertfile, ca);
  EXPECT_EQ(r->server.depth, 5);  // the command line wins
  EXPECT_EQ(r->client.depth, 4);

  // Without the command line's cacertfile the whole is incomplete.
  auto incomplete = from_environment_and_args({}, var);
  ASSERT_FALSE(incomplete);
  EXPECT_EQ(incomplete.error().option, "client_cacertfile");

  // An error in the variable names the option; an unbalanced quote names the variable.
  ASSERT_EQ(::setenv(var, "-ssl_dist_opt server_packet 2", 1), 0);
  auto bad = from_environment_and_args({}, var);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().option, "server_packet");
  ASSERT_EQ(::setenv(var, "-ssl_dist_opt server_password 'x", 1), 0);
  auto unbalanced = from_environment_and_args({}, var);
  ASSERT_FALSE(unbalanced);
  EXPECT_EQ(unbalanced.error().option, var);

  // Unset: only the arguments.
  ASSERT_EQ(::unsetenv(var), 0);
  auto none = from_environment_and_args(Words{"-ssl_dist_opt", "server_depth", "2"}, var);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->server.depth, 2);
  EXPECT_FALSE(none->ipv6);
}

TEST(DistOptions, ParseArgsAddsToWhatIsThere) {
  DistOptions d;
  ASSERT_TRUE(parse_args(Words{"-ssl_dist_opt", "server_depth", "3"}, d));
  ASSERT_TRUE(parse_args(Words{"-ssl_dist_opt", "client_depth", "4", "-proto_dist", "inet6_tls"}, d));
  EXPECT_EQ(d.server.depth, 3);
  EXPECT_EQ(d.client.depth, 4);
  EXPECT_TRUE(d.ipv6);
}

TEST(DistOptions, ANonexistentFileNamesTheOption) {
  Error e = parse_error({"-ssl_dist_opt", "server_certfile", "/nonexistent/erlserver.pem"});
  EXPECT_EQ(e.kind, Error::Kind::options);
  EXPECT_EQ(e.option, "server_certfile");
  EXPECT_NE(e.detail.find("/nonexistent/erlserver.pem"), std::string::npos) << e.detail;
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_keyfile", "/nonexistent/key.pem"}), "client_keyfile");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_dhfile", "/nonexistent/dh.pem"}), "server_dhfile");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "client_cacertfile", data_file("")}), "client_cacertfile");  // a directory
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_certfile", ""}), "server_certfile");
}

TEST(DistOptions, ABadCiphersStringNamesTheSide) {
  Error e = parse_error({"-ssl_dist_opt", "client_ciphers", "AES128-SHA:NOT-A-SUITE"});
  EXPECT_EQ(e.kind, Error::Kind::options);
  EXPECT_EQ(e.option, "client_ciphers");
  EXPECT_EQ(bad_option({"-ssl_dist_opt", "server_ciphers", ""}), "server_ciphers");
  DistOptions d = parsed({"-ssl_dist_opt", "server_ciphers", "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA"});
  EXPECT_EQ(std::get<std::string>(d.server.ciphers), "ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA");
}

}  // namespace
}  // namespace essl::dist

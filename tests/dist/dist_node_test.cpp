// essl::dist::Node against real Erlang nodes (erl -proto_dist inet_tls / inet6_tls) on loopback, with a
// private epmd and certificates made here. Erlang/OTP (erlang-base, erlang-ssl) must be installed: a
// missing erl or epmd fails the tests with that message.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "conformance/child.hpp"
#include "dist/node.hpp"

namespace essl::dist {
namespace {

using conformance::Child;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// A CA, a node certificate it signed (names: localhost, 127.0.0.1, ::1, as DNS and IP), and a rogue
// certificate signed by another CA.
struct Pki {
  fs::path dir;
  std::string ca, cert, key, rogue_cert, rogue_key;
  std::string why;  // set when the PKI could not be made

  void make() {
    char tmpl[] = "/tmp/essl-dist-XXXXXX";
    if (!mkdtemp(tmpl)) {
      why = "mkdtemp failed";
      return;
    }
    dir = tmpl;
    if (conformance::find_openssl().empty()) {
      why = "openssl is not installed (package openssl)";
      return;
    }
    const std::string d = dir.string();
    {
      std::ofstream ext(d + "/san.ext");
      ext << "subjectAltName=DNS:localhost,DNS:127.0.0.1,DNS:::1,IP:127.0.0.1,IP:::1\n"
             "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n"
             "extendedKeyUsage=serverAuth,clientAuth\n";
    }
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes ";
    for (const std::string name : {"ca", "rogue_ca"})
      if (run("openssl req -x509" + ec + "-days 2 -subj /CN=" + name + " -keyout " + d + "/" + name + ".key -out " + d +
              "/" + name + ".pem") != 0) {
        why = "openssl could not make " + name;
        return;
      }
    auto leaf = [&](const std::string& name, const std::string& issuer) {
      return run("openssl req" + ec + "-subj /CN=node -keyout " + d + "/" + name + ".key -out " + d + "/" + name +
                 ".csr") == 0 &&
             run("openssl x509 -req -days 2 -in " + d + "/" + name + ".csr -CA " + d + "/" + issuer + ".pem -CAkey " +
                 d + "/" + issuer + ".key -CAcreateserial -extfile " + d + "/san.ext -out " + d + "/" + name +
                 ".pem") == 0;
    };
    if (!leaf("node", "ca") || !leaf("rogue", "rogue_ca")) {
      why = "openssl could not make the node certificates";
      return;
    }
    ca = d + "/ca.pem";
    cert = d + "/node.pem";
    key = d + "/node.key";
    rogue_cert = d + "/rogue.pem";
    rogue_key = d + "/rogue.key";
  }
};

Pki g_pki;
std::unique_ptr<Child> g_epmd;
std::string g_setup_error;

// Mutual verification on both sides, as the spec's section 1.4.3 configures it.
std::vector<std::string> ssl_dist_opts(const std::string& cert, const std::string& key) {
  return {"-ssl_dist_opt", "server_certfile", cert, "server_keyfile", key, "server_cacertfile", g_pki.ca,
          "server_verify", "verify_peer", "server_fail_if_no_peer_cert", "true",
          "-ssl_dist_opt", "client_certfile", cert, "client_keyfile", key, "client_cacertfile", g_pki.ca,
          "client_verify", "verify_peer", "server_secure_renegotiate", "true", "client_secure_renegotiate", "true"};
}

DistOptions our_options(bool ipv6 = false, const std::string& cert = g_pki.cert, const std::string& key = g_pki.key) {
  std::vector<std::string> w = ssl_dist_opts(cert, key);
  if (ipv6) w.insert(w.end(), {"-proto_dist", "inet6_tls"});
  auto o = parse_args(w);
  EXPECT_TRUE(o) << format_error(o.error());
  return o ? *o : DistOptions{};
}

// An Erlang node with TLS distribution running `script`; it prints "ready" once its echo server runs.
std::unique_ptr<Child> erlang_node(const std::string& name, const std::string& cookie, bool ipv6,
                                   const std::string& script, const std::string& cert = g_pki.cert,
                                   const std::string& key = g_pki.key) {
  std::vector<std::string> argv = {"erl", "-noshell", "-start_epmd", "false", "-proto_dist",
                                   ipv6 ? "inet6_tls" : "inet_tls", "-name", name, "-setcookie", cookie};
  for (auto& w : ssl_dist_opts(cert, key)) argv.push_back(w);
  argv.insert(argv.end(), {"-eval", script});
  std::string why;
  auto c = Child::spawn(argv, why);
  EXPECT_TRUE(c) << why;
  return c;
}

const std::string kEchoServer =
    "register(echo, spawn(fun Loop() -> receive {From, M} -> From ! {self(), M}, Loop() end end)), "
    "io:format(\"ready~n\").";

bool ready(Child& c) {
  return c.wait_stdout([](const std::string& s) { return s.find("ready") != std::string::npos; }, 30s);
}

class DistNode : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (conformance::find_program("erl").empty() || conformance::find_program("epmd").empty()) {
      g_setup_error = "Erlang/OTP is not installed (packages erlang-base erlang-ssl): erl and epmd are needed";
      return;
    }
    g_pki.make();
    if (!g_pki.why.empty()) {
      g_setup_error = g_pki.why;
      return;
    }
    // A private epmd on a free port: neither a system epmd nor another test run is touched.
    const uint16_t port = conformance::free_port();
    setenv("ERL_EPMD_PORT", std::to_string(port).c_str(), 1);
    std::string why;
    g_epmd = Child::spawn({"epmd", "-port", std::to_string(port)}, why);
    if (!g_epmd || !conformance::wait_listening(port, *g_epmd, 10s)) g_setup_error = "epmd did not start: " + why;
  }
  static void TearDownTestSuite() {
    g_epmd.reset();
    if (!g_pki.dir.empty()) fs::remove_all(g_pki.dir);
  }
  void SetUp() override { ASSERT_TRUE(g_setup_error.empty()) << g_setup_error; }

  // A fresh name per test, so that no test waits for epmd to forget another's node.
  static std::string unique(const std::string& base) {
    static int n = 0;
    return base + std::to_string(getpid()) + "_" + std::to_string(++n);
  }
};

TEST_F(DistNode, CppNodeCallsAnErlangNodeOverTls) {
  const std::string srv = unique("srv") + "@127.0.0.1";
  auto erl = erlang_node(srv, "cookie1", false, kEchoServer);
  ASSERT_TRUE(erl && ready(*erl)) << (erl ? erl->err() : "");
  auto node = Node::start({unique("cnode") + "@127.0.0.1", "cookie1", our_options()});
  ASSERT_TRUE(node) << format_error(node.error());
  auto link = node->connect(srv);
  ASSERT_TRUE(link) << format_error(link.error());
  auto r = link->rpc("erlang", "node", *Term::parse("[]"));
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(r->atom_name(), srv);
  auto sum = link->rpc("lists", "sum", *Term::parse("[[1,2,3,4]]"));
  ASSERT_TRUE(sum) << format_error(sum.error());
  EXPECT_EQ(sum->text(), "10");
  // The link is TLS: essl's view of it.
  auto info = link->connection_information();
  ASSERT_TRUE(info) << format_error(info.error());
  EXPECT_EQ(info->protocol, Version::tlsv1_2);
}

TEST_F(DistNode, CppNodeMessagesARegisteredErlangProcessAndGetsTheReply) {
  const std::string srv = unique("srv") + "@127.0.0.1";
  auto erl = erlang_node(srv, "cookie2", false, kEchoServer);
  ASSERT_TRUE(erl && ready(*erl)) << (erl ? erl->err() : "");
  auto node = Node::start({unique("cnode") + "@127.0.0.1", "cookie2", our_options()});
  ASSERT_TRUE(node);
  auto link = node->connect(srv);
  ASSERT_TRUE(link) << format_error(link.error());
  ASSERT_TRUE(link->reg_send("echo", Term::tuple({link->self(), Term::binary("ping")})));
  auto m = link->receive(10s);
  ASSERT_TRUE(m) << format_error(m.error());
  EXPECT_EQ(m->kind, Message::Kind::send);
  // {EchoPid, <<"ping">>}
  EXPECT_NE(m->payload.text().find(Term::binary("ping").text()), std::string::npos) << m->payload.text();
  EXPECT_EQ(Term::binary("ping").text(), "#Bin<112,105,110,103>");
}

TEST_F(DistNode, ErlangNodeMessagesAndCallsTheCppNode) {
  const std::string cname = unique("cnode") + "@127.0.0.1";
  auto node = Node::start({cname, "cookie3", our_options()});
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->listen(0));
  const std::string script =
      "R = net_adm:ping('" + cname + "'), io:format(\"ping ~p~n\", [R]), "
      "{any, '" + cname + "'} ! {self(), hello_from_erlang}, "
      "receive {_, M} -> io:format(\"reply ~p~n\", [M]) after 10000 -> io:format(\"noreply~n\") end, "
      "io:format(\"rex ~p~n\", [gen_server:call({rex, '" + cname + "'}, {call, erlang, node, [], user})]), "
      "io:format(\"done~n\"), halt().";
  auto erl = erlang_node(unique("client") + "@127.0.0.1", "cookie3", false, script);
  ASSERT_TRUE(erl);
  auto link = node->accept(30s);
  ASSERT_TRUE(link) << format_error(link.error()) << "\n" << erl->err() << erl->out();
  EXPECT_NE(link->peer().find("client"), std::string::npos);
  int answered = 0;
  std::vector<std::string> seen;
  while (answered < 3) {
    auto m = link->receive(20s);
    ASSERT_TRUE(m) << format_error(m.error()) << "\n" << erl->out();
    seen.push_back(m->payload.text());
    if (answer(*link, *m, cname)) ++answered;
  }
  ASSERT_TRUE(erl->wait_stdout([](const std::string& s) { return s.find("done") != std::string::npos; }, 20s))
      << erl->out() << erl->err();
  EXPECT_NE(erl->out().find("ping pong"), std::string::npos) << erl->out();
  EXPECT_NE(erl->out().find("reply hello_from_erlang"), std::string::npos) << erl->out();
  EXPECT_NE(erl->out().find("rex '" + cname + "'"), std::string::npos) << erl->out();
  bool got_hello = false;
  for (auto& s : seen) got_hello |= s.find("hello_from_erlang") != std::string::npos;
  EXPECT_TRUE(got_hello);
}

TEST_F(DistNode, OverIpv6BothWays) {
  const std::string srv = unique("srv6") + "@::1";
  auto erl = erlang_node(srv, "cookie4", true, kEchoServer);
  ASSERT_TRUE(erl && ready(*erl)) << (erl ? erl->err() : "");
  auto node = Node::start({unique("cnode6") + "@::1", "cookie4", our_options(true)});
  ASSERT_TRUE(node);
  auto link = node->connect(srv);
  ASSERT_TRUE(link) << format_error(link.error());
  auto r = link->rpc("erlang", "node", *Term::parse("[]"));
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(r->atom_name(), srv);
  // The Erlang node holds the link as an IPv6 one from ::1.
  auto addr = link->rpc("net_kernel", "node_info", *Term::parse("['" + node->name() + "', address]"));
  ASSERT_TRUE(addr) << format_error(addr.error());
  EXPECT_NE(addr->text().find("{{0, 0, 0, 0, 0, 0, 0, 1}, "), std::string::npos) << addr->text();

  // And the other way: the Erlang node pings this node over IPv6.
  ASSERT_TRUE(node->listen(0));
  const std::string cname = node->name();
  auto erl2 = erlang_node(unique("client6") + "@::1", "cookie4", true,
                          "io:format(\"ping ~p~n\", [net_adm:ping('" + cname + "')]), halt().");
  ASSERT_TRUE(erl2);
  auto in = node->accept(30s);
  ASSERT_TRUE(in) << format_error(in.error()) << erl2->err();
  auto m = in->receive(20s);
  ASSERT_TRUE(m) << format_error(m.error());
  EXPECT_TRUE(answer(*in, *m, cname));
  EXPECT_TRUE(erl2->wait_stdout([](const std::string& s) { return s.find("ping pong") != std::string::npos; }, 20s))
      << erl2->out() << erl2->err();

  // A message made by hand is checked like one from the network: {'$gen_call', ... cut inside the atom
  // is not answered (and not read past its end).
  Message bad = *m;
  bad.kind = Message::Kind::reg_send;
  bad.to_name = "rex";
  bad.payload = Term{std::string("\x68\x03\x64\x00\x09$gen_", 8)};
  EXPECT_FALSE(answer(*in, bad, cname));
}

TEST_F(DistNode, AWrongCookieIsRefusedBothWays) {
  const std::string srv = unique("srv") + "@127.0.0.1";
  auto erl = erlang_node(srv, "right_cookie", false, kEchoServer);
  ASSERT_TRUE(erl && ready(*erl));
  auto node = Node::start({unique("cnode") + "@127.0.0.1", "wrong_cookie", our_options()});
  ASSERT_TRUE(node);
  auto link = node->connect(srv);
  ASSERT_FALSE(link);
  EXPECT_EQ(link.error().kind, Error::Kind::other) << format_error(link.error());
  EXPECT_EQ(link.error().detail, "not_allowed");

  // An Erlang node with another cookie pinging this one: pang, and accept reports the refusal.
  ASSERT_TRUE(node->listen(0));
  auto erl2 = erlang_node(unique("client") + "@127.0.0.1", "right_cookie", false,
                          "io:format(\"ping ~p~n\", [net_adm:ping('" + node->name() + "')]), halt().");
  ASSERT_TRUE(erl2);
  auto in = node->accept(30s);
  EXPECT_FALSE(in);
  EXPECT_TRUE(erl2->wait_stdout([](const std::string& s) { return s.find("ping pang") != std::string::npos; }, 20s))
      << erl2->out() << erl2->err();
}

TEST_F(DistNode, ACertificateFromAnotherCaIsRefusedWithUnknownCa) {
  const std::string srv = unique("srv") + "@127.0.0.1";
  auto erl = erlang_node(srv, "cookie5", false, kEchoServer);
  ASSERT_TRUE(erl && ready(*erl));
  // Our client certificate is not from the CA the Erlang node trusts: it refuses us.
  auto rogue = Node::start({unique("rogue") + "@127.0.0.1", "cookie5",
                            our_options(false, g_pki.rogue_cert, g_pki.rogue_key)});
  ASSERT_TRUE(rogue);
  auto link = rogue->connect(srv);
  ASSERT_FALSE(link);
  EXPECT_TRUE(link.error().is_alert(AlertDescription::unknown_ca)) << format_error(link.error());
  EXPECT_FALSE(link.error().alert_sent);

  // An Erlang node presenting a certificate we do not trust: we refuse it with unknown_ca.
  const std::string srv2 = unique("srv") + "@127.0.0.1";
  auto erl2 = erlang_node(srv2, "cookie5", false, kEchoServer, g_pki.rogue_cert, g_pki.rogue_key);
  ASSERT_TRUE(erl2 && ready(*erl2));
  auto node = Node::start({unique("cnode") + "@127.0.0.1", "cookie5", our_options()});
  ASSERT_TRUE(node);
  auto l2 = node->connect(srv2);
  ASSERT_FALSE(l2);
  EXPECT_TRUE(l2.error().is_alert(AlertDescription::unknown_ca)) << format_error(l2.error());
  EXPECT_TRUE(l2.error().alert_sent);
}

TEST_F(DistNode, OptionsFromTheEnvironmentVariable) {
  const std::string srv = unique("srv") + "@127.0.0.1";
  auto erl = erlang_node(srv, "cookie6", false, kEchoServer);
  ASSERT_TRUE(erl && ready(*erl));
  std::string flags = "-proto_dist inet_tls";
  for (auto& w : ssl_dist_opts(g_pki.cert, g_pki.key)) flags += " '" + w + "'";
  setenv("ESSL_DIST_FLAGS", flags.c_str(), 1);
  auto opts = from_environment_and_args({});
  unsetenv("ESSL_DIST_FLAGS");
  ASSERT_TRUE(opts) << format_error(opts.error());
  EXPECT_EQ(opts->client.verify, Verify::verify_peer);
  auto node = Node::start({unique("cnode") + "@127.0.0.1", "cookie6", *opts});
  ASSERT_TRUE(node);
  auto link = node->connect(srv);
  ASSERT_TRUE(link) << format_error(link.error());
  auto r = link->rpc("erlang", "node", *Term::parse("[]"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->atom_name(), srv);
}

TEST_F(DistNode, AnUnknownNodeIsNoport) {
  auto node = Node::start({unique("cnode") + "@127.0.0.1", "c", our_options()});
  ASSERT_TRUE(node);
  auto link = node->connect("nobody_here@127.0.0.1");
  ASSERT_FALSE(link);
  EXPECT_EQ(link.error().detail, "noport");
}

TEST_F(DistNode, TheCommandLineCallsAndServes) {
  const char* essl = std::getenv("ESSL_BIN");
  ASSERT_TRUE(essl) << "ESSL_BIN (the essl command) is not set";
  const std::string srv = unique("srv") + "@127.0.0.1";
  auto erl = erlang_node(srv, "cookie7", false, kEchoServer);
  ASSERT_TRUE(erl && ready(*erl));
  std::vector<std::string> argv = {essl, "node", "--name", unique("cli") + "@127.0.0.1", "--cookie", "cookie7"};
  for (auto& w : ssl_dist_opts(g_pki.cert, g_pki.key)) argv.push_back(w);
  std::vector<std::string> rpc = argv;
  rpc.insert(rpc.end(), {"rpc", srv, "erlang", "node"});
  std::string why;
  auto c = Child::spawn(rpc, why);
  ASSERT_TRUE(c) << why;
  ASSERT_EQ(c->wait_exit(30s), 0) << c->err();
  EXPECT_EQ(c->out(), srv + "\n");

  // serve: an Erlang node pings it and calls it through rex.
  const std::string cname = unique("clisrv") + "@127.0.0.1";
  argv[3] = cname;
  argv.push_back("serve");
  auto s = Child::spawn(argv, why);
  ASSERT_TRUE(s) << why;
  ASSERT_TRUE(s->wait_stdout([](const std::string& o) { return o.find("serving") != std::string::npos; }, 20s))
      << s->err();
  auto erl2 = erlang_node(unique("client") + "@127.0.0.1", "cookie7", false,
                          "io:format(\"ping ~p~n\", [net_adm:ping('" + cname + "')]), "
                          "io:format(\"rex ~p~n\", [gen_server:call({rex, '" + cname +
                              "'}, {call, erlang, node, [], user})]), halt().");
  ASSERT_TRUE(erl2);
  EXPECT_TRUE(erl2->wait_stdout([&](const std::string& o) { return o.find("rex '" + cname + "'") != std::string::npos; },
                                30s))
      << erl2->out() << erl2->err() << s->err();
  EXPECT_NE(erl2->out().find("ping pong"), std::string::npos);
  kill(s->pid(), SIGTERM);
  EXPECT_EQ(s->wait_exit(10s), 0) << s->err();
}

TEST(DistTerm, ParsesAndPrintsErlangSyntax) {
  for (const std::string t : {"[]", "[1,2,3]", "{ok,hello}", "\"abc\"", "-42", "1.5", "'Quoted atom'",
                              "{a,[b,{c,[]}]}"}) {
    auto p = Term::parse(t);
    ASSERT_TRUE(p) << t << ": " << p.error().detail;
    auto again = Term::parse(p->text());
    ASSERT_TRUE(again) << p->text();
    EXPECT_EQ(again->bytes, p->bytes) << t;
  }
  EXPECT_EQ(Term::parse("<<\"bin\">>")->bytes, Term::binary("bin").bytes);
  EXPECT_EQ(Term::parse("<<98, 105,110>>")->bytes, Term::binary("bin").bytes);
  EXPECT_EQ(Term::tuple({Term::atom("a"), Term::list({})}).text(), "{a, []}");
  for (const std::string& bad : std::vector<std::string>{"", "[1,2", "{a,}", "\"open", "1 2", "~p", "<<256>>", "<<a>>", std::string(100, '[')})
    EXPECT_FALSE(Term::parse(bad)) << bad;
}

TEST(DistTerm, MalformedBytesPrintAsInvalid) {
  EXPECT_EQ((Term{std::string("\x6c\xff\xff\xff\xff", 5)}).text(), "<invalid term>");  // a list longer than its bytes
  EXPECT_EQ((Term{std::string("\x64\x00\x09" "abc", 6)}).text(), "<invalid term>");     // a truncated atom
  EXPECT_EQ((Term{std::string("\x68\x02\x61\x01", 4)}).text(), "<invalid term>");        // a tuple missing an element
  EXPECT_EQ((Term{std::string("\x61\x01\x61", 3)}).text(), "<invalid term>");            // bytes after the term
  EXPECT_EQ(Term::atom("ok").text(), "ok");
}

}  // namespace
}  // namespace essl::dist

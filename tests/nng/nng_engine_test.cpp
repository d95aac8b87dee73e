// essl as NNG's TLS engine: REQ/REP over tls+tcp:// on loopback, both ends in this process on essl,
// configured with NNG's own nng_tls_config calls and the test certificates as PEM.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "essl/nng.hpp"
#include "essl/tls.hpp"
#include "tests/crl_cache/crl_files.hpp"

namespace {

constexpr int timeout_ms = 10000;  // bounds every send and receive: a failure never hangs

std::string data_file(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

std::string pem(const std::string& name) {
  std::ifstream in(name.find('/') == std::string::npos ? data_file(name) : name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What one side's nng_tls_config gets; an empty field is not set.
struct Side {
  std::string ca;           // ca_chain
  std::string crl;          // the CRL given with it
  std::string cert, key;    // own_cert
  std::string password;     // the key's
  std::string server_name;  // client
  int auth = -1;            // -1: NNG's default
  nng_tls_version min_version = NNG_TLS_1_0, max_version = NNG_TLS_1_2;
};

Side server_side() {
  Side s;
  s.cert = pem("server-rsa.pem");
  s.key = pem("server-rsa-key.pem");
  return s;
}
Side client_side() {
  Side s;
  s.ca = pem("ca.pem");
  s.server_name = "localhost";
  return s;
}

int configure(nng_tls_config* cfg, const Side& s) {
  int rv = 0;
  if (rv == 0 && !s.ca.empty()) rv = nng_tls_config_ca_chain(cfg, s.ca.c_str(), s.crl.empty() ? nullptr : s.crl.c_str());
  if (rv == 0 && !s.cert.empty()) rv = nng_tls_config_own_cert(cfg, s.cert.c_str(), s.key.c_str(), s.password.empty() ? nullptr : s.password.c_str());
  if (rv == 0 && !s.server_name.empty()) rv = nng_tls_config_server_name(cfg, s.server_name.c_str());
  if (rv == 0 && s.auth >= 0) rv = nng_tls_config_auth_mode(cfg, nng_tls_auth_mode(s.auth));
  if (rv == 0) rv = nng_tls_config_version(cfg, s.min_version, s.max_version);
  return rv;
}

void set_timeouts(nng_socket s) {
  ASSERT_EQ(nng_socket_set_ms(s, NNG_OPT_RECVTIMEO, timeout_ms), 0);
  ASSERT_EQ(nng_socket_set_ms(s, NNG_OPT_SENDTIMEO, timeout_ms), 0);
  ASSERT_EQ(nng_socket_set_size(s, NNG_OPT_RECVMAXSZ, 4 << 20), 0);
}

// A config of the registered engine with those settings.
nng_tls_config* make_config(nng_tls_mode mode, const Side& side) {
  nng_tls_config* cfg = nullptr;
  EXPECT_EQ(nng_tls_config_alloc(&cfg, mode), 0);
  if (cfg != nullptr) {
    EXPECT_EQ(configure(cfg, side), 0);
  }
  return cfg;
}

// A REP socket listening on tls+tcp://127.0.0.1 (a free port) with that config (the listener takes
// over the reference).
struct Server {
  nng_socket rep = NNG_SOCKET_INITIALIZER;
  nng_listener listener = NNG_LISTENER_INITIALIZER;
  int port = 0;

  explicit Server(const Side& side) : Server(make_config(NNG_TLS_MODE_SERVER, side)) {}
  explicit Server(nng_tls_config* cfg) {
    EXPECT_EQ(nng_rep0_open(&rep), 0);
    set_timeouts(rep);
    EXPECT_EQ(nng_listener_create(&listener, rep, "tls+tcp://127.0.0.1:0"), 0);
    EXPECT_EQ(nng_listener_set_ptr(listener, NNG_OPT_TLS_CONFIG, cfg), 0);
    nng_tls_config_free(cfg);  // the listener holds it
    EXPECT_EQ(nng_listener_start(listener, 0), 0);
    EXPECT_EQ(nng_listener_get_int(listener, NNG_OPT_TCP_BOUND_PORT, &port), 0);
  }
  ~Server() { nng_close(rep); }
  std::string url() const { return "tls+tcp://127.0.0.1:" + std::to_string(port); }
};

// A REQ socket dialing the server synchronously: dialed is the result of the first attempt.
struct Client {
  nng_socket req = NNG_SOCKET_INITIALIZER;
  int dialed = -1;

  Client(const Server& server, const Side& side) : Client(server, make_config(NNG_TLS_MODE_CLIENT, side)) {}
  Client(const Server& server, nng_tls_config* cfg) {
    EXPECT_EQ(nng_req0_open(&req), 0);
    set_timeouts(req);
    nng_dialer d;
    EXPECT_EQ(nng_dialer_create(&d, req, server.url().c_str()), 0);
    EXPECT_EQ(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg), 0);
    nng_tls_config_free(cfg);
    dialed = nng_dialer_start(d, 0);
  }
  ~Client() { nng_close(req); }
};

struct Received {
  int rv = -1;
  std::string body;
  bool verified = false;  // NNG_OPT_TLS_VERIFIED of the pipe it came on
};

Received receive(nng_socket s) {
  Received r;
  nng_msg* msg = nullptr;
  r.rv = nng_recvmsg(s, &msg, 0);
  if (r.rv != 0) return r;
  r.body.assign(static_cast<const char*>(nng_msg_body(msg)), nng_msg_len(msg));
  EXPECT_EQ(nng_pipe_get_bool(nng_msg_get_pipe(msg), NNG_OPT_TLS_VERIFIED, &r.verified), 0);
  nng_msg_free(msg);
  return r;
}

int send(nng_socket s, const std::string& body) {
  return nng_send(s, const_cast<char*>(body.data()), body.size(), 0);
}

// One request and its reply (the request echoed after "re: "); what each side received.
struct RoundTrip {
  int sent = -1;
  Received request, reply;
};

RoundTrip round_trip(Server& server, Client& client, const std::string& request) {
  RoundTrip t;
  t.sent = send(client.req, request);
  if (t.sent != 0) return t;
  t.request = receive(server.rep);
  if (t.request.rv != 0) return t;
  EXPECT_EQ(send(server.rep, "re: " + t.request.body), 0);
  t.reply = receive(client.req);
  return t;
}

// NNG's built-in engine (mbed TLS in Debian's libnng) against essl, in this process: a config keeps
// the engine registered when it was made, so configs made before register_engine() are the built-in
// engine's. It runs first (meson runs it alone as nng_engine_interop), before anything registers essl.
TEST(NngInterop, EsslAgainstTheBuiltInEngine) {
  const std::string builtin = nng_tls_engine_name();
  ASSERT_NE(builtin, "essl") << "run this test alone: essl is registered already";
  ASSERT_NE(builtin, "none") << "this NNG has no TLS engine of its own";
  Side server = server_side();
  server.ca = pem("ca.pem");
  server.auth = NNG_TLS_AUTH_MODE_REQUIRED;
  Side client = client_side();
  client.cert = pem("client-rsa.pem");
  client.key = pem("client-rsa-key.pem");
  nng_tls_config* builtin_server = make_config(NNG_TLS_MODE_SERVER, server);
  nng_tls_config* builtin_client = make_config(NNG_TLS_MODE_CLIENT, client);
  auto r = essl::nng::register_engine();
  ASSERT_TRUE(r) << essl::format_error(r.error());
  ASSERT_STREQ(nng_tls_engine_name(), "essl");

  std::string big(1 << 20, '\0');
  std::mt19937 rng(11);
  for (char& ch : big) ch = char(rng());
  {
    SCOPED_TRACE("essl client, " + builtin + " server");
    Server s(builtin_server);
    Client c(s, client);
    ASSERT_EQ(c.dialed, 0) << nng_strerror(c.dialed);
    for (const std::string& body : {std::string("hello"), big}) {
      auto t = round_trip(s, c, body);
      ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
      EXPECT_TRUE(t.reply.body == "re: " + body);
      EXPECT_TRUE(t.request.verified);  // the built-in engine verified essl's client certificate
      EXPECT_TRUE(t.reply.verified);    // essl verified the built-in engine's server certificate
    }
  }
  {
    SCOPED_TRACE(builtin + " client, essl server");
    Server s(server);
    Client c(s, builtin_client);
    ASSERT_EQ(c.dialed, 0) << nng_strerror(c.dialed);
    for (const std::string& body : {std::string("hello"), big}) {
      auto t = round_trip(s, c, body);
      ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
      EXPECT_TRUE(t.reply.body == "re: " + body);
      EXPECT_TRUE(t.request.verified);
      EXPECT_TRUE(t.reply.verified);
    }
  }
}

// NNG finishes closed connections on its own threads: nng_fini() waits for them before the process
// exits (and essl's static state goes away).
class NngFini : public ::testing::Environment {
 public:
  void TearDown() override { nng_fini(); }
};
const auto* const nng_fini_at_exit = ::testing::AddGlobalTestEnvironment(new NngFini);

class NngEngine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto r = essl::nng::register_engine();
    ASSERT_TRUE(r) << essl::format_error(r.error());
  }
};

TEST_F(NngEngine, RegisteredAsTheEngine) {
  EXPECT_STREQ(nng_tls_engine_name(), "essl");
  EXPECT_STREQ(nng_tls_engine_description(), "essl TLS 1.0-1.2");
  EXPECT_FALSE(nng_tls_engine_fips_mode());
}

TEST_F(NngEngine, RequestReplyVerified) {
  Server server(server_side());
  Client client(server, client_side());
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  auto t = round_trip(server, client, "hello");
  ASSERT_EQ(t.request.rv, 0) << nng_strerror(t.request.rv);
  EXPECT_EQ(t.request.body, "hello");
  EXPECT_FALSE(t.request.verified);  // the server asked for no client certificate
  ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
  EXPECT_EQ(t.reply.body, "re: hello");
  EXPECT_TRUE(t.reply.verified);  // the client verified the server's certificate
}

TEST_F(NngEngine, MutualAuthenticationVerifiedBothWays) {
  Side s = server_side();
  s.ca = pem("ca.pem");
  s.auth = NNG_TLS_AUTH_MODE_REQUIRED;
  Side c = client_side();
  c.cert = pem("client-rsa.pem");
  c.key = pem("client-rsa-key.pem");
  Server server(s);
  Client client(server, c);
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  auto t = round_trip(server, client, "both");
  ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
  EXPECT_TRUE(t.request.verified);
  EXPECT_TRUE(t.reply.verified);
}

// own_cert with a chain (leaf, intermediate): all of it is sent, and a client with only the root
// verifies it.
TEST_F(NngEngine, CertificateChain) {
  Side s;
  s.cert = pem(data_file("pkix/int-server-chain.pem"));
  s.key = pem(data_file("pkix/int-server-key.pem"));
  Server server(s);
  Client client(server, client_side());
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  auto t = round_trip(server, client, "chain");
  ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
  EXPECT_TRUE(t.reply.verified);
}

TEST_F(NngEngine, OneMegabyteBothWays) {
  Server server(server_side());
  Client client(server, client_side());
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  std::string big(1 << 20, '\0');
  std::mt19937 rng(7);
  for (char& ch : big) ch = char(rng());
  for (int i = 0; i < 3; ++i) {
    auto t = round_trip(server, client, big);
    ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
    ASSERT_EQ(t.request.body.size(), big.size());
    EXPECT_TRUE(t.request.body == big);
    EXPECT_TRUE(t.reply.body == "re: " + big);
  }
}

// Eight REQ sockets share one client config (its TlsConfig made once, by whichever connection starts
// first); the one REP socket answers each in turn.
TEST_F(NngEngine, ConnectionsShareAConfig) {
  Server server(server_side());
  nng_tls_config* cfg = nullptr;
  ASSERT_EQ(nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT), 0);
  ASSERT_EQ(configure(cfg, client_side()), 0);
  std::vector<nng_socket> clients(8);
  for (nng_socket& req : clients) {
    ASSERT_EQ(nng_req0_open(&req), 0);
    set_timeouts(req);
    nng_dialer d;
    ASSERT_EQ(nng_dialer_create(&d, req, server.url().c_str()), 0);
    ASSERT_EQ(nng_dialer_set_ptr(d, NNG_OPT_TLS_CONFIG, cfg), 0);
    ASSERT_EQ(nng_dialer_start(d, NNG_FLAG_NONBLOCK), 0);
  }
  nng_tls_config_free(cfg);
  for (size_t i = 0; i < clients.size(); ++i) EXPECT_EQ(send(clients[i], "client " + std::to_string(i)), 0);
  for (size_t i = 0; i < clients.size(); ++i) {
    auto request = receive(server.rep);
    ASSERT_EQ(request.rv, 0) << nng_strerror(request.rv);
    EXPECT_EQ(send(server.rep, "re: " + request.body), 0);
  }
  for (size_t i = 0; i < clients.size(); ++i) {
    auto reply = receive(clients[i]);
    EXPECT_EQ(reply.rv, 0) << nng_strerror(reply.rv);
    EXPECT_EQ(reply.body, "re: client " + std::to_string(i));
    EXPECT_TRUE(reply.verified);
    nng_close(clients[i]);
  }
}

TEST_F(NngEngine, VersionRanges) {
  for (auto v : {NNG_TLS_1_0, NNG_TLS_1_1, NNG_TLS_1_2}) {
    Side s = server_side();
    s.min_version = s.max_version = v;
    Server server(s);
    Client client(server, client_side());  // 1.0-1.2
    ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
    auto t = round_trip(server, client, "v");
    EXPECT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
  }
  nng_tls_config* cfg = nullptr;
  ASSERT_EQ(nng_tls_config_alloc(&cfg, NNG_TLS_MODE_CLIENT), 0);
  EXPECT_EQ(nng_tls_config_version(cfg, NNG_TLS_1_3, NNG_TLS_1_3), NNG_ENOTSUP);
  EXPECT_EQ(nng_tls_config_version(cfg, NNG_TLS_1_2, NNG_TLS_1_0), NNG_ENOTSUP);
  EXPECT_EQ(nng_tls_config_version(cfg, NNG_TLS_1_2, NNG_TLS_1_3), 0);  // 1.2 is in the range
  nng_tls_config_free(cfg);
}

TEST_F(NngEngine, BadPemIsRejected) {
  nng_tls_config* cfg = nullptr;
  ASSERT_EQ(nng_tls_config_alloc(&cfg, NNG_TLS_MODE_SERVER), 0);
  EXPECT_EQ(nng_tls_config_ca_chain(cfg, "not a certificate", nullptr), NNG_EINVAL);
  EXPECT_EQ(nng_tls_config_own_cert(cfg, pem("server-rsa.pem").c_str(), "no key here", nullptr), NNG_EINVAL);
  EXPECT_EQ(nng_tls_config_own_cert(cfg, pem("server-rsa.pem").c_str(), pem("server-rsa-key-aes128.pem").c_str(),
                                    "wrong password"),
            NNG_EINVAL);
  nng_tls_config_free(cfg);
}

TEST_F(NngEngine, EncryptedKeysWithTheirPassword) {
  for (const char* key : {"server-rsa-key-aes128.pem", "server-ecdsa-key-pkcs8-enc.pem"}) {
    Side s = server_side();
    if (std::string(key).find("ecdsa") != std::string::npos) s.cert = pem("server-ecdsa.pem");
    s.key = pem(key);
    s.password = "essl-test";
    Server server(s);
    Client client(server, client_side());
    ASSERT_EQ(client.dialed, 0) << key << ": " << nng_strerror(client.dialed);
    EXPECT_EQ(round_trip(server, client, "encrypted key").reply.rv, 0) << key;
  }
}

// The failures: each ends the first dial (or the request) within the timeouts, with no reply.
void expect_no_reply(Server& server, Client& client) {
  if (client.dialed != 0) return;  // the dial reported it
  auto t = round_trip(server, client, "hello");
  EXPECT_NE(t.reply.rv, 0);
  EXPECT_NE(t.request.body, "hello");
}

TEST_F(NngEngine, ClientWithTheWrongCaFails) {
  Server server(server_side());
  Side c = client_side();
  c.ca = pem("other-ca.pem");
  Client client(server, c);
  EXPECT_EQ(client.dialed, NNG_EPEERAUTH) << nng_strerror(client.dialed);
  expect_no_reply(server, client);
}

TEST_F(NngEngine, ClientWithoutCaFails) {
  Server server(server_side());
  Side c = client_side();
  c.ca.clear();  // the client's default is to verify: it has nothing to verify with
  Client client(server, c);
  EXPECT_NE(client.dialed, 0);
  expect_no_reply(server, client);
}

TEST_F(NngEngine, ServerNameMismatchFails) {
  Server server(server_side());
  Side c = client_side();
  c.server_name = "wrong.example";
  Client client(server, c);
  EXPECT_EQ(client.dialed, NNG_EPEERAUTH) << nng_strerror(client.dialed);
  expect_no_reply(server, client);
}

TEST_F(NngEngine, RequiredClientCertificateMissingFails) {
  Side s = server_side();
  s.ca = pem("ca.pem");
  s.auth = NNG_TLS_AUTH_MODE_REQUIRED;
  Server server(s);
  Client client(server, client_side());  // no certificate
  EXPECT_NE(client.dialed, 0);
  expect_no_reply(server, client);
}

TEST_F(NngEngine, OptionalClientCertificate) {
  Side s = server_side();
  s.ca = pem("ca.pem");
  s.auth = NNG_TLS_AUTH_MODE_OPTIONAL;
  Server server(s);
  Client client(server, client_side());  // no certificate: accepted, not verified
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  auto t = round_trip(server, client, "anonymous");
  ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
  EXPECT_FALSE(t.request.verified);
  EXPECT_TRUE(t.reply.verified);
}

TEST_F(NngEngine, AuthNoneClientConnectsWithoutCa) {
  Server server(server_side());
  Side c;
  c.auth = NNG_TLS_AUTH_MODE_NONE;
  Client client(server, c);
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  auto t = round_trip(server, client, "unverified");
  ASSERT_EQ(t.reply.rv, 0) << nng_strerror(t.reply.rv);
  EXPECT_FALSE(t.reply.verified);
}

TEST_F(NngEngine, RevokedServerCertificateFails) {
  const auto& crls = essl::test::CrlFiles::get();
  {
    Server server(server_side());
    Side c = client_side();
    c.crl = pem(crls.ca_revoked_pem.string());
    Client client(server, c);
    EXPECT_EQ(client.dialed, NNG_EPEERAUTH) << nng_strerror(client.dialed);
    expect_no_reply(server, client);
  }
  {
    Server server(server_side());
    Side c = client_side();
    c.crl = pem(crls.ca_empty_pem.string());
    Client client(server, c);
    ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
    EXPECT_EQ(round_trip(server, client, "not revoked").reply.rv, 0);
  }
}

// Bytes that are not TLS end that connection only: the listener goes on serving.
TEST_F(NngEngine, GarbageFromAPeerIsSurvived) {
  Server server(server_side());
  for (const std::string& junk : {std::string("GET / HTTP/1.0\r\n\r\n"), std::string("\x16\x03\x01\xff\xff", 5),
                                 std::string("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00", 10), std::string(5000, '\x17')}) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(server.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    (void)!::write(fd, junk.data(), junk.size());
    char buf[256];
    timeval tv{3, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (::read(fd, buf, sizeof buf) > 0) {
    }
    ::close(fd);
  }
  Client client(server, client_side());
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  EXPECT_EQ(round_trip(server, client, "still there").reply.rv, 0);
}

// A TLS client that is not NNG: essl::Tls over a plain socket, speaking the SP protocol of a REQ socket
// by hand (the 8-byte header, then messages with a 64-bit length and the request id).
struct RawReq {
  int fd = -1;
  essl::Tls tls;

  RawReq(int port, const essl::TlsConfig& cfg) : tls(cfg, "localhost", uint16_t(port)) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    tls.start();
  }
  ~RawReq() { ::close(fd); }

  void write_raw(std::string_view bytes) { EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), ssize_t(bytes.size())); }
  void flush() {
    while (!tls.pending_output().empty()) {
      const auto out = tls.pending_output();
      const ssize_t n = ::write(fd, out.data(), out.size());
      if (n <= 0) return;
      tls.consume_output(size_t(n));
    }
  }
  // One read into the TLS state; false at the end of the stream (or the timeout).
  bool read_some() {
    uint8_t buf[16384];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    tls.feed(std::span<const uint8_t>(buf, size_t(n)));
    return true;
  }
  bool handshake() {
    while (!tls.handshake_done() && !tls.error()) {
      flush();
      if (!tls.handshake_done() && !read_some()) return false;
    }
    flush();
    return tls.handshake_done();
  }
  void send(std::string_view data) {
    EXPECT_TRUE(tls.send(data));
    flush();
  }
  // The next n bytes of application data (fewer if the connection ends first).
  std::string receive(size_t n) {
    while (tls.app_data().size() < n && read_some()) flush();
    const auto data = tls.app_data();
    std::string out(data.begin(), data.begin() + std::ptrdiff_t(std::min(n, data.size())));
    tls.consume_app_data(out.size());
    return out;
  }
};

std::string be64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[size_t(i)] = char(v & 0xff);
  return out;
}

TEST_F(NngEngine, HandMadeTlsPeerThenHostileRecords) {
  Server server(server_side());
  essl::Options o;
  o.cacertfile = data_file("ca.pem");
  o.verify = essl::Verify::verify_peer;
  auto cfg = essl::TlsConfig::client(o);
  ASSERT_TRUE(cfg) << essl::format_error(cfg.error());
  {
    RawReq raw(server.port, *cfg);
    ASSERT_TRUE(raw.handshake());
    raw.send(std::string("\0SP\0\0\x30\0\0", 8));                        // SP header: REQ (48)
    EXPECT_EQ(raw.receive(8), std::string("\0SP\0\0\x31\0\0", 8));       // the server's: REP (49)
    const std::string id("\x80\0\0\x01", 4);
    raw.send(be64(4 + 5) + id + "hello");
    auto request = receive(server.rep);
    ASSERT_EQ(request.rv, 0) << nng_strerror(request.rv);
    EXPECT_EQ(request.body, "hello");
    ASSERT_EQ(send(server.rep, "re: hello"), 0);
    EXPECT_EQ(raw.receive(8 + 4 + 9), be64(4 + 9) + id + "re: hello");

    // An application data record that does not decrypt: the server ends this connection.
    raw.write_raw(std::string("\x17\x03\x03\x00\x40", 5) + std::string(64, '\x5a'));
    while (raw.read_some()) {
    }
    EXPECT_TRUE(raw.tls.error() || raw.tls.peer_closed());
  }
  {
    // A record header announcing more than a record may hold.
    RawReq raw(server.port, *cfg);
    ASSERT_TRUE(raw.handshake());
    raw.write_raw(std::string("\x17\x03\x03\xff\xff", 5) + std::string(1000, '\x01'));
    while (raw.read_some()) {
    }
  }
  Client client(server, client_side());
  ASSERT_EQ(client.dialed, 0) << nng_strerror(client.dialed);
  EXPECT_EQ(round_trip(server, client, "still there").reply.rv, 0);
}

}  // namespace

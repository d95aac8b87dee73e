// Bulk transfer against OpenSSL 3.0's s_server and s_client on loopback, both roles: for every version,
// a full handshake that moves 1 MiB each way, compared byte for byte, then a resumed one. (The handshake
// matrix against every peer is `essl conformance`; these cells add volume: many records, CBC IV chaining
// and 1/n-1 splitting at TLS 1.0, sequence numbers, and close after large writes.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <random>
#include <thread>

#include "conformance/child.hpp"
#include "essl/essl.hpp"

namespace essl::conformance {
namespace {

using namespace std::chrono_literals;

enum class Cert { rsa, ecdsa };
enum class Side { essl_client, essl_server };

// The suites under test, by OpenSSL name; `tls12` marks those that exist only in TLS 1.2.
struct SuiteRow {
  const char* openssl;
  Cert cert;
  bool tls12;
};
constexpr SuiteRow suite_rows[] = {
    {"AES128-SHA", Cert::rsa, false},
    {"AES256-SHA", Cert::rsa, false},
    {"AES128-GCM-SHA256", Cert::rsa, true},
    {"DHE-RSA-AES128-SHA", Cert::rsa, false},
    {"DHE-RSA-AES256-SHA", Cert::rsa, false},
    {"DHE-RSA-AES128-GCM-SHA256", Cert::rsa, true},
    {"ECDHE-RSA-AES128-SHA", Cert::rsa, false},
    {"ECDHE-RSA-AES256-SHA", Cert::rsa, false},
    {"ECDHE-RSA-AES128-GCM-SHA256", Cert::rsa, true},
    {"ECDHE-ECDSA-AES128-SHA", Cert::ecdsa, false},
    {"ECDHE-ECDSA-AES256-SHA", Cert::ecdsa, false},
    {"ECDHE-ECDSA-AES128-GCM-SHA256", Cert::ecdsa, true},
};

// The suites whose cells also move 1 MiB each way (server authentication only, every version).
bool bulk_suite(std::string_view s) { return s == "ECDHE-RSA-AES128-SHA" || s == "ECDHE-ECDSA-AES128-GCM-SHA256"; }

struct Cell {
  Side side;
  Version version;
  SuiteRow suite;
  bool mutual;
  bool bulk;
  bool wrong_ca = false;  // the client trusts other-ca.pem: the handshake must fail with unknown_ca

  std::string name() const {
    std::string n = side == Side::essl_client ? "essl_client_" : "essl_server_";
    n += version == Version::tlsv1 ? "tls1_0" : version == Version::tlsv1_1 ? "tls1_1" : "tls1_2";
    n += "_";
    for (const char* c = suite.openssl; *c; ++c) n += (*c == '-') ? '_' : *c;
    n += mutual ? "_mutual" : "_server_auth";
    if (wrong_ca) n += "_unknown_ca";
    return n;
  }
};

std::vector<Cell> all_cells() {
  std::vector<Cell> cells;
  for (Side side : {Side::essl_client, Side::essl_server})
    for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2})
      for (const SuiteRow& s : suite_rows) {
        if (!bulk_suite(s.openssl) || (s.tls12 && v != Version::tlsv1_2)) continue;
        cells.push_back({side, v, s, false, true});
      }
  return cells;
}

std::string data_dir() {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/";
}

const char* openssl_version_flag(Version v) {
  return v == Version::tlsv1 ? "-tls1" : v == Version::tlsv1_1 ? "-tls1_1" : "-tls1_2";
}

std::vector<uint8_t> pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> out(n);
  std::mt19937 gen(seed);
  for (auto& b : out) b = static_cast<uint8_t>(gen());
  return out;
}

constexpr size_t bulk_size = 1 << 20;

// The first bytes of what was sent and what arrived, in hex, for a failure message.
std::string dump(const std::vector<uint8_t>& want, const std::vector<uint8_t>& got) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\nsent:     ";
  for (size_t i = 0; i < 16 && i < want.size(); ++i) out += {hex[want[i] >> 4], hex[want[i] & 15], ' '};
  out += "\nreceived: ";
  for (size_t i = 0; i < 16 && i < got.size(); ++i) {
    out += {hex[got[i] >> 4], hex[got[i] & 15], ' '};
  }
  return out;
}

// essl's options for a cell: exactly the cell's version and suite, verify the peer against ca.pem.
Options essl_options(const Cell& c, bool server) {
  Options o;
  std::string d = data_dir();
  o.versions = {c.version};
  const SuiteInfo* info = find_suite_by_name(c.suite.openssl);
  if (info) o.ciphers = std::vector<SuiteSpec>{info->spec};
  o.cacertfile = d + "ca.pem";
  if (server) {
    std::string base = c.suite.cert == Cert::rsa ? "server-rsa" : "server-ecdsa";
    o.certfile = d + base + ".pem";
    o.keyfile = d + base + "-key.pem";
    o.dhfile = d + "dh2048.pem";
    if (c.mutual) {
      o.verify = Verify::verify_peer;
      o.fail_if_no_peer_cert = true;
    }
  } else {
    o.verify = Verify::verify_peer;
    if (c.wrong_ca) o.cacertfile = d + "other-ca.pem";
    if (c.mutual) {
      o.certfile = d + "client-rsa.pem";
      o.keyfile = d + "client-rsa-key.pem";
    }
  }
  return o;
}

class Interop : public testing::TestWithParam<Cell> {
 protected:
  void SetUp() override {
    openssl_ = find_openssl();
    ASSERT_FALSE(openssl_.empty()) << "the openssl command is not installed (PATH has none); these tests need it";
    ASSERT_TRUE(find_suite_by_name(GetParam().suite.openssl)) << "essl does not know " << GetParam().suite.openssl;
  }

 public:
  // s_server for the cell, listening on a fresh port (a few attempts, in case another process took it).
  std::unique_ptr<Child> start_s_server(const Cell& c, uint16_t& port) {
    std::string d = data_dir();
    std::string base = c.suite.cert == Cert::rsa ? "server-rsa" : "server-ecdsa";
    for (int attempt = 0; attempt < 3; ++attempt) {
      port = free_port();
      std::vector<std::string> argv = {openssl_, "s_server", "-accept", "127.0.0.1:" + std::to_string(port),
                                       "-cert", d + base + ".pem", "-key", d + base + "-key.pem",
                                       "-dhparam", d + "dh2048.pem", openssl_version_flag(c.version),
                                       "-cipher", std::string(c.suite.openssl) + ":@SECLEVEL=0", "-quiet"};
      if (c.mutual) {
        for (const char* a : {"-Verify", "1", "-verify_return_error"}) argv.push_back(a);
        argv.push_back("-CAfile");
        argv.push_back(d + "ca.pem");
      }
      std::string why;
      auto child = Child::spawn(argv, why);
      if (!child) {
        ADD_FAILURE() << "cannot start openssl s_server: " << why;
        return nullptr;
      }
      if (wait_listening(port, *child, 5s)) return child;
      if (child->running()) {
        ADD_FAILURE() << "openssl s_server did not listen within 5 s: " << child->err();
        return nullptr;
      }
    }
    ADD_FAILURE() << "openssl s_server could not bind a port";
    return nullptr;
  }

  std::unique_ptr<Child> start_s_client(const Cell& c, uint16_t port, const std::string& sess, bool resume,
                                        bool quiet) {
    std::string d = data_dir();
    std::vector<std::string> argv = {openssl_, "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                                     openssl_version_flag(c.version), "-cipher",
                                     std::string(c.suite.openssl) + ":@SECLEVEL=0", "-CAfile",
                                     d + (c.wrong_ca ? "other-ca.pem" : "ca.pem"),
                                     "-verify_return_error", resume ? "-sess_in" : "-sess_out", sess};
    if (c.mutual) {
      argv.insert(argv.end(), {"-cert", d + "client-rsa.pem", "-key", d + "client-rsa-key.pem"});
    }
    if (quiet) argv.push_back("-quiet");
    std::string why;
    auto child = Child::spawn(argv, why);
    if (!child) ADD_FAILURE() << "cannot start openssl s_client: " << why;
    return child;
  }

  std::string openssl_;
};

void expect_negotiated(const ConnectionInfo& info, const Cell& c, bool resumed) {
  ASSERT_TRUE(info.protocol.has_value());
  EXPECT_EQ(version_atom(*info.protocol), version_atom(c.version));
  const SuiteInfo* s = find_suite_by_name(c.suite.openssl);
  ASSERT_TRUE(s);
  EXPECT_EQ(info.cipher_suite_name, s->erlang);
  EXPECT_EQ(info.resumed, resumed);
}

// essl's client against s_server: a full handshake (with the bulk exchange in bulk cells), then a
// resumed one.
void run_essl_client(Interop& t, const Cell& c) {
  uint16_t port = 0;
  auto server = t.start_s_server(c, port);
  ASSERT_TRUE(server);
  Options o = essl_options(c, false);
  if (c.wrong_ca) {
    auto s = connect("127.0.0.1", port, o, 10s, passive_binary());
    ASSERT_FALSE(s) << "connected to a server whose CA is not trusted";
    EXPECT_TRUE(s.error().is_alert(AlertDescription::unknown_ca)) << format_error(s.error());
    EXPECT_TRUE(s.error().alert_sent);
    return;
  }
  for (int round = 0; round < 2; ++round) {
    auto s = connect("127.0.0.1", port, o, 10s, passive_binary());
    ASSERT_TRUE(s) << "round " << round << ": " << format_error(s.error()) << "\ns_server: " << server->err();
    auto info = s->connection_information();
    ASSERT_TRUE(info);
    expect_negotiated(*info, c, round == 1);
    if (c.mutual || round == 1) {
      // A round trip proves the server accepted our certificate (or the resumed keys) too.
      ASSERT_TRUE(s->send("ping\n"));
      ASSERT_TRUE(server->wait_stdout([](const std::string& o) { return o.find("ping\n") != std::string::npos; }, 10s))
          << server->err();
    }
    if (c.bulk && round == 0) {
      size_t before = server->out().size();
      auto up = pattern(bulk_size, 1);
      ASSERT_TRUE(s->send(std::span<const uint8_t>(up)));
      ASSERT_TRUE(server->wait_stdout([&](const std::string& o) { return o.size() >= before + bulk_size; }, 30s))
          << "s_server received " << server->out().size() - before << " bytes";
      std::string text = server->out().substr(before);
      std::vector<uint8_t> got(text.begin(), text.end());
      auto diff = std::mismatch(up.begin(), up.end(), got.begin(), got.end());
      EXPECT_TRUE(got.size() == bulk_size && diff.first == up.end())
          << "upload differs: s_server printed " << got.size() << " bytes, first difference at "
          << diff.first - up.begin() << dump(up, got);

      auto down = pattern(bulk_size, 2);
      std::thread feeder([&] { server->write_stdin(down); });
      auto r = s->recv(bulk_size, 30s);
      feeder.join();
      ASSERT_TRUE(r) << format_error(r.error());
      EXPECT_TRUE(*r == down) << "download differs";
    }
    EXPECT_TRUE(s->close());
  }
}

// s_client against essl's server, twice: -sess_out then -sess_in.
void run_essl_server(Interop& t, const Cell& c) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, essl_options(c, true), sock);
  ASSERT_TRUE(ls) << format_error(ls.error());
  if (c.wrong_ca) {
    auto pending = std::async(std::launch::async, [&] {
      auto s = ls->transport_accept(15s);
      return s ? handshake(*s, 10s) : Result<void, Error>(fail(s.error()));
    });
    auto client = t.start_s_client(c, ls->port(), "/dev/null", false, false);
    auto h = pending.get();
    ASSERT_FALSE(h) << "s_client accepted a server whose CA it does not trust";
    EXPECT_TRUE(h.error().is_alert(AlertDescription::unknown_ca)) << format_error(h.error());
    EXPECT_FALSE(h.error().alert_sent);
    return;
  }
  auto sess = std::filesystem::temp_directory_path() /
              ("essl-interop-" + std::to_string(::getpid()) + "-" + c.name() + ".sess");

  struct Seen {
    bool ok = false;
    std::string error;
    ConnectionInfo info;
    bool peercert = false;
    bool bulk_ok = false;
  };
  Seen seen[2];
  std::thread server([&] {
    for (int round = 0; round < 2; ++round) {
      auto s = ls->transport_accept(15s);
      if (!s) {
        seen[round].error = "accept: " + format_error(s.error());
        return;
      }
      if (auto h = handshake(*s, 10s); !h) {
        seen[round].error = "handshake: " + format_error(h.error());
        continue;
      }
      seen[round].ok = true;
      seen[round].info = *s->connection_information();
      seen[round].peercert = s->peercert().ok();
      if (c.bulk && round == 0) {
        auto up = s->recv(bulk_size, 30s);
        bool up_ok = up && *up == pattern(bulk_size, 3);
        auto down = pattern(bulk_size, 4);
        seen[round].bulk_ok = up_ok && s->send(std::span<const uint8_t>(down)).ok();
      }
      // Until the client goes (it closes after its stdin ends, or when we close in bulk cells).
      if (!(c.bulk && round == 0)) {
        while (s->recv(0, 10s)) {
        }
      }
      (void)s->close();
    }
  });

  for (int round = 0; round < 2; ++round) {
    bool quiet = c.bulk && round == 0;
    auto client = t.start_s_client(c, ls->port(), sess.string(), round == 1, quiet);
    if (!client) break;  // reported; the server thread ends at its accept timeout
    if (quiet) {
      auto up = pattern(bulk_size, 3);
      std::thread feeder([&] { client->write_stdin(up); });
      bool got = client->wait_stdout([](const std::string& o) { return o.size() >= bulk_size; }, 30s);
      feeder.join();
      EXPECT_TRUE(got) << "s_client received " << client->out().size() << " bytes; " << client->err();
      auto down = pattern(bulk_size, 4);
      std::string text = client->out();
      std::vector<uint8_t> out(text.begin(), text.end());
      EXPECT_TRUE(out == down) << "download differs: s_client printed " << out.size() << " bytes" << dump(down, out);
    } else {
      // Its stdin ends once the handshake is reported, so it closes the connection then.
      bool reported = client->wait_stdout([](const std::string& o) { return o.find("Cipher is") != std::string::npos; }, 10s);
      EXPECT_TRUE(reported) << "s_client did not finish the handshake:\n" << client->out() << client->err();
      client->close_stdin();
    }
    auto status = client->wait_exit(15s);
    EXPECT_TRUE(status.has_value()) << "s_client did not finish";
    if (!quiet) {
      std::string out = client->out();
      std::string expect = std::string(round == 1 ? "Reused, " : "New, ") ;
      EXPECT_NE(out.find(expect), std::string::npos) << "s_client round " << round << ":\n" << out << client->err();
      EXPECT_NE(out.find(std::string("Cipher is ") + c.suite.openssl), std::string::npos) << out;
    }
  }
  server.join();
  std::filesystem::remove(sess);
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(seen[round].ok) << "round " << round << ": " << seen[round].error;
    expect_negotiated(seen[round].info, c, round == 1);
    EXPECT_EQ(seen[round].peercert, c.mutual);
  }
  if (c.bulk) {
    EXPECT_TRUE(seen[0].bulk_ok) << "upload differs or download failed";
  }
}

TEST_P(Interop, FullThenResumed) {
  const Cell& c = GetParam();
  if (c.side == Side::essl_client) run_essl_client(*this, c);
  else run_essl_server(*this, c);
}

INSTANTIATE_TEST_SUITE_P(OpenSsl, Interop, testing::ValuesIn(all_cells()),
                         [](const testing::TestParamInfo<Cell>& p) { return p.param.name(); });

}  // namespace
}  // namespace essl::conformance

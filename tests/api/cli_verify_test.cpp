// The essl command's verification options against an essl listener in this process: --verify,
// --cacertfile, --partial-chain, --crl-check with --crlfile, --depth; a refused handshake prints
// format_error's text with the reason and exits 1. And the key exchange options: --psk-identity,
// --psk-key, --srp-identity; --reconnect reporting resumed=true|false; --no-ems and --no-etm.
#include <sys/wait.h>

#include <cstdio>
#include <memory>

#include "crypto_glue/srp.hpp"
#include "tests/api/loopback.hpp"
#include "tests/crl_cache/crl_files.hpp"

namespace essl::test {
namespace {

struct CliRun {
  int status = -1;
  std::string output;  // stdout and stderr
};

// The command with `args`, stdin empty.
CliRun run_essl(const std::string& args) {
  const char* exe = std::getenv("ESSL_BIN");
  if (!exe) {
    ADD_FAILURE() << "ESSL_BIN (the essl command) is not set";
    return {};
  }
  CliRun r;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen((std::string(exe) + " " + args + " </dev/null 2>&1").c_str(), "r"), pclose);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p.get())) > 0;) r.output.append(buf, n);
  r.status = pclose(p.release());
  return r;
}

// `essl client` against a server with `server_opts` (one connection).
CliRun run_client(const Options& server_opts, const std::string& args) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, server_opts, sock);
  if (!ls) {
    ADD_FAILURE() << "listen: " << format_error(ls.error());
    return {};
  }
  auto pending = accept_async(*ls);
  CliRun r = run_essl("client --host 127.0.0.1 --port " + std::to_string(ls->port()) + " --linger 0 --timeout 10000 " + args);
  pending.get();
  return r;
}

// Options the command refuses before connecting.
CliRun run_refused(const std::string& args) { return run_essl("client --host 127.0.0.1 --port 1 " + args); }

int exit_code(const CliRun& r) { return WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1; }

const std::string verify_peer = " --verify verify_peer --cacertfile " + data_file("ca.pem");

TEST(EsslClient, VerifiesAndReportsTheReason) {
  CliRun ok = run_client(server_options(), verify_peer);
  EXPECT_EQ(exit_code(ok), 0) << ok.output;
  EXPECT_NE(ok.output.find("protocol=tlsv1.2"), std::string::npos) << ok.output;

  CliRun unknown = run_client(server_options(), "--verify verify_peer --cacertfile " + data_file("other-ca.pem"));
  EXPECT_EQ(exit_code(unknown), 1) << unknown.output;
  EXPECT_NE(unknown.output.find("unknown ca"), std::string::npos) << unknown.output;
  EXPECT_NE(unknown.output.find("unknown_ca"), std::string::npos) << unknown.output;
}

TEST(EsslClient, PartialChainAndDepth) {
  Options chain;
  chain.certfile = data_file("pkix/int-server-chain.pem");
  chain.keyfile = data_file("pkix/int-server-key.pem");
  const std::string untrusted_root = "--verify verify_peer --cacertfile " + data_file("other-ca.pem");
  CliRun refused = run_client(chain, untrusted_root);
  EXPECT_EQ(exit_code(refused), 1) << refused.output;
  CliRun partial = run_client(chain, untrusted_root + " --partial-chain " + data_file("pkix/int-ca.pem"));
  EXPECT_EQ(exit_code(partial), 0) << partial.output;
  CliRun shallow = run_client(chain, verify_peer + " --depth 0");
  EXPECT_EQ(exit_code(shallow), 1) << shallow.output;
  EXPECT_NE(shallow.output.find("max_path_length_reached"), std::string::npos) << shallow.output;
  CliRun bad = run_refused(verify_peer + " --partial-chain /nonexistent.pem");
  EXPECT_EQ(exit_code(bad), 2) << bad.output;
  EXPECT_NE(bad.output.find("partial_chain"), std::string::npos) << bad.output;
}

TEST(EsslClient, CrlCheckWithACrlFile) {
  const CrlFiles& crls = CrlFiles::get();
  CliRun revoked = run_client(server_options(), verify_peer + " --crl-check true --crlfile " + crls.ca_revoked_pem.string());
  EXPECT_EQ(exit_code(revoked), 1) << revoked.output;
  EXPECT_NE(revoked.output.find("certificate revoked"), std::string::npos) << revoked.output;
  EXPECT_NE(revoked.output.find("keyCompromise"), std::string::npos) << revoked.output;
  CliRun clean = run_client(server_options(), verify_peer + " --crl-check peer --crlfile " + crls.ca_empty_pem.string());
  EXPECT_EQ(exit_code(clean), 0) << clean.output;
  CliRun none = run_client(server_options(), verify_peer + " --crl-check true");
  EXPECT_EQ(exit_code(none), 1) << none.output;
  EXPECT_NE(none.output.find("revocation_status_undetermined"), std::string::npos) << none.output;
  CliRun lenient = run_client(server_options(), verify_peer + " --crl-check best_effort");
  EXPECT_EQ(exit_code(lenient), 0) << lenient.output;
  CliRun bad = run_refused(verify_peer + " --crl-check maybe");
  EXPECT_EQ(exit_code(bad), 2) << bad.output;
  EXPECT_NE(bad.output.find("crl_check"), std::string::npos) << bad.output;
}

// --psk-key HEX makes a user_lookup_fun answering that key; --psk-identity is the identity presented.
TEST(EsslClient, PreSharedKey) {
  Options server;
  server.ciphers = std::string("PSK-AES128-CBC-SHA");
  server.psk_identity = "cli hint";
  server.user_lookup_fun = UserLookupFun{
      [](LookupKind, const std::optional<std::string>& id, const std::any&) {
        return id == "cli-user" ? LookupResult{std::vector<uint8_t>{0x01, 0x23, 0x45, 0x67, 0x89, 0xab}}
                                : LookupResult{LookupError{}};
      },
      {}};
  const std::string psk = " --ciphers PSK-AES128-CBC-SHA --psk-identity cli-user --psk-key ";
  CliRun ok = run_client(server, psk + "0123456789ab");
  EXPECT_EQ(exit_code(ok), 0) << ok.output;
  EXPECT_NE(ok.output.find("cipher_suite=psk_aes_128_cbc_sha"), std::string::npos) << ok.output;
  CliRun other_key = run_client(server, psk + "0123456789ac");
  EXPECT_EQ(exit_code(other_key), 1) << other_key.output;
  CliRun stranger = run_client(server, " --ciphers PSK-AES128-CBC-SHA --psk-identity stranger --psk-key 0123456789ab");
  EXPECT_EQ(exit_code(stranger), 1) << stranger.output;
  EXPECT_NE(stranger.output.find("illegal parameter"), std::string::npos) << stranger.output;
  CliRun bad = run_refused(psk + "0123x");
  EXPECT_EQ(exit_code(bad), 2) << bad.output;
  EXPECT_NE(bad.output.find("psk_key"), std::string::npos) << bad.output;
  CliRun no_key = run_refused(" --ciphers PSK-AES128-CBC-SHA --psk-identity cli-user");
  EXPECT_EQ(exit_code(no_key), 2) << no_key.output;
  EXPECT_NE(no_key.output.find("user_lookup_fun"), std::string::npos) << no_key.output;
  CliRun bad_srp = run_refused(" --srp-identity nocolon");
  EXPECT_EQ(exit_code(bad_srp), 2) << bad_srp.output;
  EXPECT_NE(bad_srp.output.find("srp_identity"), std::string::npos) << bad_srp.output;
}

// --srp-identity USER:PASSWORD against a server that knows the user.
TEST(EsslClient, SecureRemotePassword) {
  Options server;
  server.ciphers = std::string("SRP-AES-128-CBC-SHA");
  const std::vector<uint8_t> salt = {1, 2, 3, 4, 5, 6, 7, 8};
  const codec::Bytes x = crypto::srp_derived_key("cli-user", "pa:ss", salt);
  const SrpLookup known{SrpParam::srp_2048, salt, std::vector<uint8_t>(x.begin(), x.end())};
  server.user_lookup_fun = UserLookupFun{
      [known](LookupKind kind, const std::optional<std::string>& user, const std::any&) {
        return kind == LookupKind::srp && user == "cli-user" ? LookupResult{known} : LookupResult{LookupError{}};
      },
      {}};
  CliRun ok = run_client(server, " --ciphers SRP-AES-128-CBC-SHA --srp-identity cli-user:pa:ss");
  EXPECT_EQ(exit_code(ok), 0) << ok.output;
  EXPECT_NE(ok.output.find("cipher_suite=srp_anon_aes_128_cbc_sha"), std::string::npos) << ok.output;
  CliRun wrong = run_client(server, " --ciphers SRP-AES-128-CBC-SHA --srp-identity cli-user:pass");
  EXPECT_EQ(exit_code(wrong), 1) << wrong.output;
  CliRun stranger = run_client(server, " --ciphers SRP-AES-128-CBC-SHA --srp-identity bob:pa:ss");
  EXPECT_EQ(exit_code(stranger), 1) << stranger.output;
  EXPECT_NE(stranger.output.find("illegal parameter"), std::string::npos) << stranger.output;
}

// --reconnect: connect, close, connect again; the line says whether the second connection resumed.
TEST(EsslClient, ReconnectReportsResumption) {
  auto run = [](const std::string& args) {
    SocketOptions sock = passive_binary();
    sock.ip = "127.0.0.1";
    auto ls = listen(0, server_options(), sock);
    if (!ls) {
      ADD_FAILURE() << "listen: " << format_error(ls.error());
      return CliRun{};
    }
    auto served = std::async(std::launch::async, [&ls] {
      for (int i = 0; i < 2; ++i)
        if (auto s = ls->transport_accept(10s)) (void)handshake(*s, 10s);
    });
    CliRun r = run_essl("client --host 127.0.0.1 --port " + std::to_string(ls->port()) +
                        " --linger 0 --timeout 10000 --reconnect " + args);
    served.get();
    return r;
  };
  CliRun resumed = run("");
  EXPECT_EQ(exit_code(resumed), 0) << resumed.output;
  EXPECT_NE(resumed.output.find(" resumed=true"), std::string::npos) << resumed.output;
  CliRun full = run("--reuse-sessions false");
  EXPECT_EQ(exit_code(full), 0) << full.output;
  EXPECT_NE(full.output.find(" resumed=false"), std::string::npos) << full.output;
}

// --no-ems / --no-etm, and the connection line's ems=true / etm=true (a CBC suite, so that
// encrypt-then-MAC applies). A boolean option given alone means true.
TEST(EsslClient, ExtendedMasterSecretAndEncryptThenMac) {
  const std::string cbc = "--ciphers ECDHE-RSA-AES128-SHA ";
  CliRun both = run_client(server_options(), cbc);
  EXPECT_EQ(exit_code(both), 0) << both.output;
  EXPECT_NE(both.output.find(" ems=true etm=true"), std::string::npos) << both.output;
  CliRun no_etm = run_client(server_options(), cbc + "--no-etm");
  EXPECT_NE(no_etm.output.find(" ems=true"), std::string::npos) << no_etm.output;
  EXPECT_EQ(no_etm.output.find("etm="), std::string::npos) << no_etm.output;
  CliRun no_ems = run_client(server_options(), cbc + "--no-ems --secure-renegotiate");
  EXPECT_EQ(exit_code(no_ems), 0) << no_ems.output;
  EXPECT_EQ(no_ems.output.find("ems="), std::string::npos) << no_ems.output;
  EXPECT_NE(no_ems.output.find(" etm=true"), std::string::npos) << no_ems.output;
}

}  // namespace
}  // namespace essl::test

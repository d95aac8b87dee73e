// The essl command: server, client, ciphers, versions, conformance, node.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "conformance/command.hpp"
#include "tools/commands.hpp"

namespace {

int usage() {
  std::cerr << "usage: essl server --port P --certfile F --keyfile K [options]\n"
               "       essl client --host H --port P [options]\n"
               "       essl ciphers [erlang|openssl|all|CIPHER-STRING]\n"
               "       essl versions\n"
               "       essl node --name NAME@HOST --cookie C [-ssl_dist_opt ...] rpc NODE MODULE FUNCTION [ARGS] | serve\n"
               "       essl conformance [--peer openssl|gnutls|botan|erlang] [--filter SUBSTR] [--json] [--full]\n"
               "options: --versions tlsv1.2,tlsv1.1 --ciphers LIST --cacertfile C --verify verify_peer\n"
               "         --fail-if-no-peer-cert --depth N --reuse-sessions true|false --ip ADDR --http\n"
               "         --reconnect --sni NAME --no-sni --password P --dhfile F --timeout MS --linger MS\n"
               "         --alpn h2,http/1.1 --npn LIST --sni-host NAME:CERTFILE:KEYFILE\n"
               "         --partial-chain CAFILE --crl-check true|false|peer|best_effort --crlfile F\n"
               "         --crl-http MS --psk-identity ID --psk-key HEX --srp-identity USER:PASSWORD\n"
               "         --srp-user USER:PASSWORD (server) --renegotiate --no-client-renegotiation\n"
               "         --secure-renegotiate true|false --fallback --no-ems --no-etm\n"
               "         --eccs x25519,secp256r1 --hibernate-after MS\n"
               "         --concurrent --max-connections N --threads N (server: many connections on\n"
               "         event loops, N threads sharing the port)\n";
  return 2;
}

// One suite per line: the Erlang-style name with the OpenSSL name beside it (OpenSSL's first for the
// openssl list), and a note on suites whose key exchange no connection can use yet. An argument other
// than erlang, openssl or all is read as a cipher string, listing what it selects in its order.
int ciphers(const std::vector<std::string>& args) {
  if (args.size() > 1) {
    std::cerr << essl::format_error(essl::Error::options("type", "expected erlang, openssl, all or a cipher string")) << "\n";
    return 2;
  }
  const std::string type = args.empty() ? "erlang" : args[0];
  std::vector<const essl::SuiteInfo*> list;
  std::vector<essl::SuiteInfo> listed;  // what `list` points into
  if (type == "erlang" || type == "openssl" || type == "all") {
    listed = essl::cipher_suites(type == "all" ? essl::SuiteListType::all : essl::SuiteListType::erlang);
    for (const auto& s : listed) list.push_back(&s);
  } else {
    auto parsed = essl::parse_cipher_string(type);
    if (!parsed) {
      std::cerr << essl::format_error(essl::Error::options("ciphers", parsed.error())) << "\n";
      return 2;
    }
    list = std::move(parsed.value());
  }
  for (const essl::SuiteInfo* s : list) {
    std::string first(type == "openssl" ? s->openssl : s->erlang), second(type == "openssl" ? s->erlang : s->openssl);
    if (first.size() < 36) first.resize(36, ' ');
    std::string line = first + " " + second;
    if (!essl::key_exchange_implemented(s->spec.key_exchange)) {
      if (line.size() < 72) line.resize(72, ' ');
      line += " (key exchange " + std::string(essl::atom(s->spec.key_exchange)) + " not available)";
    }
    std::cout << line << "\n";
  }
  return 0;
}

int versions() {
  auto v = essl::versions();
  auto list = [](const std::vector<essl::Version>& vs) {
    std::string out;
    for (auto x : vs) out += (out.empty() ? "" : ",") + std::string(essl::version_atom(x));
    return out;
  };
  std::cout << "app_vsn=" << v.app_vsn << "\n"
            << "supported=" << list(v.supported) << "\n"
            << "available=" << list(v.available) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that goes away (a closed socket, or a peer process whose stdin pipe we write) is an error
  // to report, not a reason to die.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) return usage();
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "ciphers") return ciphers(args);
  if (cmd == "versions") return args.empty() ? versions() : usage();
  if (cmd == "conformance") return essl::conformance::run_command(args);
  if (cmd == "node") return essl::cli::run_node(args);
  if (cmd != "server" && cmd != "client") return usage();

  auto parsed = essl::cli::parse(args);
  if (!parsed) {
    std::cerr << essl::format_error(parsed.error()) << "\n";
    return 2;
  }
  if (auto v = essl::validate(parsed->tls); !v) {
    std::cerr << essl::format_error(v.error()) << "\n";
    return 2;
  }
  (void)essl::start();
  for (const std::string& f : parsed->crlfiles)
    if (auto r = essl::ssl_crl_cache::insert(essl::ssl_crl_cache::File{f}); !r) {
      std::cerr << essl::format_error(essl::Error::options("crlfile", f + ": " + essl::format_error(r.error()))) << "\n";
      return 2;
    }
  return cmd == "server" ? essl::cli::run_server(*parsed) : essl::cli::run_client(*parsed);
}

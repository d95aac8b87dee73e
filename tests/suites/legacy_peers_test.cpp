// RC4, DES, 3DES and the MD5 MAC against other implementations on loopback, both roles, through the
// conformance suite's peer adapters: GnuTLS 3.7 (gnutls-serv/gnutls-cli; it has RC4 and 3DES suites,
// no single-DES ones) and Erlang/OTP 25's ssl (RC4, DES and 3DES). Debian's OpenSSL 3 is built without
// any of these suites, so it is not a peer here.
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "conformance/peer.hpp"
#include "conformance/runner.hpp"

namespace essl::conformance {
namespace {

struct Cell {
  PeerId peer;
  Role role;
  Version version;
  std::string_view suite;  // OpenSSL name
  bool resume;
};

Case to_case(const Cell& cell) {
  const SuiteInfo* s = find_suite_by_name(cell.suite);
  Case c;
  c.group = "matrix";
  c.peer = cell.peer;
  c.role = cell.role;
  c.essl_versions = c.peer_versions = {cell.version};
  c.essl_suites = c.peer_suites = {s};
  if (s && s->spec.key_exchange == KeyExchange::ecdhe_ecdsa) c.server_cert = "server-ecdsa";
  c.resume = cell.resume;
  c.expect_version = cell.version;
  c.expect_suite = s;
  c.id = std::string(peer_name(cell.peer)) + "/" + std::string(role_name(cell.role)) + "/" +
         std::string(version_atom(cell.version)) + "/" + std::string(s ? s->erlang : cell.suite);
  return c;
}

std::string cell_name(const testing::TestParamInfo<Cell>& p) {
  std::string n = to_case(p.param).id + (p.param.resume ? "/resumed" : "");
  for (char& ch : n)
    if (ch == '/' || ch == '.' || ch == '-') ch = '_';
  return n;
}

std::vector<Cell> cells() {
  using V = Version;
  std::vector<Cell> out;
  for (Role r : {Role::client, Role::server}) {
    out.push_back({PeerId::gnutls, r, V::tlsv1_2, "RC4-SHA", true});
    out.push_back({PeerId::gnutls, r, V::tlsv1, "RC4-MD5", false});
    out.push_back({PeerId::gnutls, r, V::tlsv1_2, "RC4-MD5", false});
    out.push_back({PeerId::gnutls, r, V::tlsv1_1, "ECDHE-RSA-RC4-SHA", false});
    out.push_back({PeerId::gnutls, r, V::tlsv1_2, "ECDHE-ECDSA-RC4-SHA", false});
    out.push_back({PeerId::gnutls, r, V::tlsv1_2, "DES-CBC3-SHA", true});
    out.push_back({PeerId::gnutls, r, V::tlsv1, "EDH-RSA-DES-CBC3-SHA", false});
    out.push_back({PeerId::erlang, r, V::tlsv1_2, "DES-CBC-SHA", true});
    out.push_back({PeerId::erlang, r, V::tlsv1, "DES-CBC-SHA", false});
    out.push_back({PeerId::erlang, r, V::tlsv1_1, "EDH-RSA-DES-CBC-SHA", false});
    out.push_back({PeerId::erlang, r, V::tlsv1_2, "RC4-MD5", false});
    out.push_back({PeerId::erlang, r, V::tlsv1, "ECDHE-RSA-RC4-SHA", false});
  }
  return out;
}

// One adapter per peer for the whole run (the Erlang one starts a VM).
Peer& peer_for(PeerId id, std::string& unavailable) {
  static std::map<PeerId, std::unique_ptr<Peer>> peers;
  static std::map<PeerId, std::string> why;
  if (!peers.count(id)) {
    peers[id] = make_peer(id);
    why[id] = peers[id]->availability();
  }
  unavailable = why[id];
  return *peers[id];
}

class LegacyPeer : public testing::TestWithParam<Cell> {};

TEST_P(LegacyPeer, HandshakeAndLineEachWay) {
  const Case c = to_case(GetParam());
  ASSERT_NE(c.expect_suite, nullptr) << "essl does not know " << GetParam().suite;
  std::string unavailable;
  Peer& peer = peer_for(c.peer, unavailable);
  ASSERT_TRUE(unavailable.empty()) << peer_name(c.peer) << " cannot run: " << unavailable;
  const std::string cannot = peer.cannot(c);
  ASSERT_TRUE(cannot.empty()) << cannot;
  const CellResult r = run_case(peer, c);
  EXPECT_EQ(r.outcome, Outcome::pass) << c.id << ": " << r.detail;
}

INSTANTIATE_TEST_SUITE_P(Peers, LegacyPeer, testing::ValuesIn(cells()), cell_name);

}  // namespace
}  // namespace essl::conformance

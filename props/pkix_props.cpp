// Path validation properties: a valid chain stays valid when its intermediates are shuffled and unrelated
// or repeated certificates are added; validation never throws (nor crashes) on random or mutated DER,
// as certificates, anchors or CRLs; the verify fun sees the path root first and valid_peer last.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "pkix/validate.hpp"

namespace {

using essl::Der;

Der load(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  std::ifstream f(std::string(root ? root : ".") + "/tests/data/pkix/" + name + ".der", std::ios::binary);
  if (!f) throw std::runtime_error("cannot read tests/data/pkix/" + name + ".der (is ESSL_SOURCE_ROOT set?)");
  return Der((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Pki {
  Der ca = load("ca"), int_ca = load("int-ca"), int2_ca = load("int2-ca");
  Der int_server = load("int-server"), int2_server = load("int2-server");
  std::vector<Der> unrelated = {load("other-ca"), load("server-rsa"), load("client-rsa"), load("cn-server"),
                                load("wildcard-server")};
};

const Pki& pki() {
  static const Pki p;
  return p;
}

// A chain that validates (peer first), with the depth it needs.
struct Chain {
  std::vector<Der> certs;
  int depth;
};

rc::Gen<Chain> valid_chain() {
  return rc::gen::element(Chain{{pki().int_server, pki().int_ca}, 1},
                          Chain{{pki().int2_server, pki().int2_ca, pki().int_ca}, 2},
                          Chain{{pki().unrelated[1]}, 0});
}

Der mutate(Der d, const std::vector<std::pair<size_t, uint8_t>>& edits, size_t cut) {
  for (const auto& [pos, val] : edits)
    if (!d.empty()) d[pos % d.size()] ^= val;
  if (cut < d.size()) d.resize(d.size() - cut % 64);
  return d;
}

rc::Gen<Der> some_der() {
  std::vector<Der> real = pki().unrelated;
  real.insert(real.end(), {pki().ca, pki().int_ca, pki().int2_ca, pki().int_server, pki().int2_server});
  return rc::gen::oneOf(
      rc::gen::container<Der>(rc::gen::arbitrary<uint8_t>()),
      rc::gen::map(rc::gen::tuple(rc::gen::elementOf(real),
                                  rc::gen::container<std::vector<std::pair<size_t, uint8_t>>>(
                                      rc::gen::pair(rc::gen::arbitrary<size_t>(), rc::gen::inRange<uint8_t>(1, 255))),
                                  rc::gen::inRange<size_t>(0, 4096)),
                   [](const auto& t) { return mutate(std::get<0>(t), std::get<1>(t), std::get<2>(t)); }),
      rc::gen::elementOf(real));
}

RC_GTEST_PROP(PkixProps, ShuffledAndPaddedChainsStayValid, ()) {
  const Chain base = *valid_chain();
  std::vector<Der> rest(base.certs.begin() + 1, base.certs.end());
  const auto extras = *rc::gen::container<std::vector<Der>>(
      rc::gen::oneOf(rc::gen::elementOf(pki().unrelated), rc::gen::elementOf(base.certs)));
  rest.insert(rest.end(), extras.begin(), extras.end());
  const auto order = *rc::gen::container<std::vector<size_t>>(rest.size(), rc::gen::arbitrary<size_t>());
  for (size_t i = rest.size(); i > 1; --i) std::swap(rest[i - 1], rest[order[i - 1] % i]);
  essl::pkix::Request r;
  r.chain = {base.certs.front()};
  r.chain.insert(r.chain.end(), rest.begin(), rest.end());
  r.anchors = {pki().unrelated[0], pki().ca};
  r.depth = base.depth;
  r.hostname = "localhost";
  r.purpose = essl::pkix::Purpose::server_auth;
  const auto res = essl::pkix::validate(r);
  RC_ASSERT(res.ok());
}

RC_GTEST_PROP(PkixProps, EventsFollowThePathRootFirst, ()) {
  const Chain base = *valid_chain();
  std::vector<Der> seen;
  int valid_peers = 0;
  essl::pkix::Request r;
  r.chain = base.certs;
  r.anchors = {pki().ca};
  r.depth = base.depth;
  r.verify_fun = {[&](std::span<const uint8_t> der, const essl::VerifyEvent& ev, std::any&) {
                    if (std::holds_alternative<essl::ValidPeer>(ev)) ++valid_peers;
                    if (seen.empty() || !std::equal(der.begin(), der.end(), seen.back().begin(), seen.back().end()))
                      seen.emplace_back(der.begin(), der.end());
                    return essl::VerifyResult::valid();
                  },
                  {}};
  RC_ASSERT(essl::pkix::validate(r).ok());
  RC_ASSERT(valid_peers == 1);
  RC_ASSERT(seen == std::vector<Der>(base.certs.rbegin(), base.certs.rend()));
}

RC_GTEST_PROP(PkixProps, NeverThrowsOnRandomDer, ()) {
  essl::pkix::Request r;
  r.chain = *rc::gen::container<std::vector<Der>>(some_der());
  r.anchors = *rc::gen::container<std::vector<Der>>(some_der());
  if (*rc::gen::arbitrary<bool>()) r.anchors.push_back(pki().ca);
  r.crls = *rc::gen::container<std::vector<Der>>(some_der());
  r.crl_check = *rc::gen::element(essl::CrlCheck::off, essl::CrlCheck::on, essl::CrlCheck::best_effort);
  r.depth = *rc::gen::inRange(-1, 5);
  r.hostname = *rc::gen::element(std::string(), std::string("localhost"), std::string("::1"));
  if (*rc::gen::arbitrary<bool>()) r.verify_fun = essl::default_verify_fun_verify_none();
  if (*rc::gen::arbitrary<bool>())
    r.partial_chain = [](const std::vector<Der>& c) -> std::optional<Der> {
      if (c.empty()) return std::nullopt;
      return c.front();
    };
  try {
    const auto res = essl::pkix::validate(r);
    RC_ASSERT(res.ok() || !res.error().reason.empty());
  } catch (const std::exception& e) {
    RC_FAIL(std::string("validate threw: ") + e.what());
  }
}

}  // namespace

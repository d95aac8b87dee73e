// Certificates: extensions, SubjectPublicKeyInfo, decoding, and signature checks with Botan.
#include "crypto_glue/x509.hpp"

#include <botan/bigint.h>
#include <botan/der_enc.h>
#include <botan/pk_keys.h>
#include <botan/x509_key.h>
#include <botan/x509_obj.h>

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>
#include <tuple>

#include "crypto_glue/x509_der.hpp"

namespace essl::x509 {

namespace der {

// ---- extensions shared with CRLs ----

void decode_dp_name(const BER_Object& o, std::optional<std::vector<GeneralName>>& full,
                    std::optional<Rdn>& relative) {
  BER_Decoder d = open(o);  // [0] DistributionPointName (a CHOICE, so explicitly tagged)
  BER_Object n = next(d, "DistributionPointName");
  if (n.is_a(0, context_cons)) full = decode_general_names(n);
  else if (n.is_a(1, context_cons)) relative = decode_rdn(n);
  else malformed("bad DistributionPointName");
  finish(d, "DistributionPointName");
}

std::vector<DistributionPoint> decode_dps(BER_Decoder& ext) {
  std::vector<DistributionPoint> dps;
  BER_Object seq = expect(ext, Botan::SEQUENCE, constructed, "CRLDistributionPoints");
  BER_Decoder d = open(seq);
  while (d.more_items()) {
    BER_Object dpo = expect(d, Botan::SEQUENCE, constructed, "DistributionPoint");
    DistributionPoint dp;
    dp.der = tlv(dpo);
    BER_Decoder f = open(dpo);
    while (f.more_items()) {
      BER_Object o = f.get_next_object();
      if (o.is_a(0, context_cons)) decode_dp_name(o, dp.full_name, dp.relative_name);
      else if (o.is_a(1, context)) dp.reasons = bit_flags(o);
      else if (o.is_a(2, context_cons)) dp.crl_issuer = decode_general_names(o);
      else malformed("bad DistributionPoint field");
    }
    dps.push_back(std::move(dp));
  }
  return dps;
}

AuthorityKeyId decode_aki(BER_Decoder& ext) {
  AuthorityKeyId aki;
  BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "AuthorityKeyIdentifier"));
  while (d.more_items()) {
    BER_Object o = d.get_next_object();
    if (o.is_a(0, context)) aki.key_id = contents(o);
    else if (o.is_a(1, context_cons)) aki.issuer = decode_general_names(o);
    else if (o.is_a(2, context)) aki.serial = contents(o);
    else malformed("bad AuthorityKeyIdentifier field");
  }
  return aki;
}

// ---- signature checks ----

namespace {

constexpr const char* dsa_oid = "1.2.840.10040.4.1";

// Botan's X509_Object without a type of its own: the SIGNED{} envelope, to reuse its signature check
// (RSA PKCS#1 v1.5 and PSS, DSA, ECDSA, Ed25519) on the exact to-be-signed bytes.
class SignedEnvelope final : public Botan::X509_Object {
 public:
  explicit SignedEnvelope(ByteView der) {
    BER_Decoder d(der.data(), der.size());
    decode_from(d);
  }
  std::string PEM_label() const override { return "SIGNED"; }

 private:
  void force_decode() override {}
};

// The key, with DSA parameters taken from `inherited` when its own are absent.
std::unique_ptr<Botan::Public_Key> load_key(const PublicKeyInfo& k, ByteView inherited) {
  Bytes spki = k.der;
  if (k.algorithm == dsa_oid && k.params_absent_or_null()) {
    if (inherited.empty()) return nullptr;
    spki.clear();
    Botan::DER_Encoder enc(spki);
    enc.start_cons(Botan::SEQUENCE)
        .start_cons(Botan::SEQUENCE)
        .encode(Botan::OID(k.algorithm))
        .raw_bytes(inherited.data(), inherited.size())
        .end_cons()
        .encode(k.key, Botan::BIT_STRING)
        .end_cons();
  }
  return std::unique_ptr<Botan::Public_Key>(Botan::X509::load_key(spki));
}

bool check_envelope(ByteView der, const PublicKeyInfo& key, ByteView inherited) {
  try {
    auto pub = load_key(key, inherited);
    if (!pub) return false;
    SignedEnvelope env(der);
    return env.verify_signature(*pub) == Botan::Certificate_Status_Code::OK;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

bool verify_envelope(ByteView der, const PublicKeyInfo& key, ByteView inherited) {
#ifdef ESSL_FUZZING
  // Fuzzers validate the same few chains in almost every input; loading the issuer's key (Botan's RSA
  // precomputation) and checking the signature would cost more than the rest of the handshake. The
  // answer is a pure function of these bytes, so it is remembered.
  static std::map<std::tuple<Bytes, Bytes, Bytes>, bool> checked;
  std::tuple<Bytes, Bytes, Bytes> memo{Bytes(der.begin(), der.end()), key.der,
                                       Bytes(inherited.begin(), inherited.end())};
  if (auto it = checked.find(memo); it != checked.end()) return it->second;
  if (checked.size() > 256) checked.clear();
  const bool ok = check_envelope(der, key, inherited);
  checked.emplace(std::move(memo), ok);
  return ok;
#else
  return check_envelope(der, key, inherited);
#endif
}

}  // namespace der

using namespace der;

namespace {

// ---- certificate extensions ----

std::vector<GeneralName> decode_subtrees(const BER_Object& o) {
  std::vector<GeneralName> bases;
  BER_Decoder d = open(o);
  while (d.more_items()) {
    BER_Decoder st = open(expect(d, Botan::SEQUENCE, constructed, "GeneralSubtree"));
    bases.push_back(decode_general_name(next(st, "base")));
  }
  return bases;
}

// Decodes one certificate extension into `c`; returns whether path validation handles it itself.
bool decode_cert_extension(CertView& c, const Extension& e) {
  BER_Decoder ext(e.value);
  const std::string& id = e.oid;
  bool handled = true;
  if (id == "2.5.29.19") {
    BasicConstraints bc;
    BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "BasicConstraints"));
    BER_Object o = d.get_next_object();
    if (o.is_a(Botan::BOOLEAN, universal)) {
      bc.ca = decode_bool(o);
      o = d.get_next_object();
    }
    if (o.is_a(Botan::INTEGER, universal)) bc.path_len = small_uint(o);
    else if (o.is_set()) malformed("bad BasicConstraints");
    c.basic_constraints = bc;
  } else if (id == "2.5.29.15") {
    c.key_usage = bit_flags(expect(ext, Botan::BIT_STRING, universal, "KeyUsage"));
  } else if (id == "2.5.29.37") {
    std::vector<std::string> ekus;
    BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "ExtKeyUsage"));
    while (d.more_items()) ekus.push_back(read_oid(d));
    c.ext_key_usage = std::move(ekus);
  } else if (id == "2.5.29.17") {
    c.subject_alt_names = decode_general_names(expect(ext, Botan::SEQUENCE, constructed, "SubjectAltName"));
    // A critical subjectAltName is the subject's name (RFC 5280 4.2.1.6): validation checks it against
    // name constraints; a non-critical one is passed on to the verify fun as well.
    handled = e.critical;
  } else if (id == "2.5.29.30") {
    NameConstraints nc;
    BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "NameConstraints"));
    while (d.more_items()) {
      BER_Object o = d.get_next_object();
      if (o.is_a(0, context_cons)) nc.permitted = decode_subtrees(o);
      else if (o.is_a(1, context_cons)) nc.excluded = decode_subtrees(o);
      else malformed("bad NameConstraints field");
    }
    c.name_constraints = std::move(nc);
  } else if (id == "2.5.29.32") {
    std::vector<std::string> policies;
    BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "CertificatePolicies"));
    while (d.more_items()) {
      BER_Decoder pi = open(expect(d, Botan::SEQUENCE, constructed, "PolicyInformation"));
      std::string p = read_oid(pi);
      if (std::find(policies.begin(), policies.end(), p) != policies.end()) malformed("duplicate policy");
      policies.push_back(std::move(p));
    }
    c.policies = std::move(policies);
  } else if (id == "2.5.29.33") {
    std::vector<std::pair<std::string, std::string>> maps;
    BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "PolicyMappings"));
    while (d.more_items()) {
      BER_Decoder m = open(expect(d, Botan::SEQUENCE, constructed, "PolicyMapping"));
      std::string issuer = read_oid(m);
      maps.emplace_back(std::move(issuer), read_oid(m));
    }
    c.policy_mappings = std::move(maps);
  } else if (id == "2.5.29.36") {
    PolicyConstraints pc;
    BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "PolicyConstraints"));
    while (d.more_items()) {
      BER_Object o = d.get_next_object();
      if (o.is_a(0, context)) pc.require_explicit_policy = small_uint(o);
      else if (o.is_a(1, context)) pc.inhibit_policy_mapping = small_uint(o);
      else malformed("bad PolicyConstraints field");
    }
    c.policy_constraints = pc;
  } else if (id == "2.5.29.54") {
    c.inhibit_any_policy = small_uint(expect(ext, Botan::INTEGER, universal, "InhibitAnyPolicy"));
  } else {
    handled = false;
    if (id == "2.5.29.14") c.subject_key_id = contents(expect(ext, Botan::OCTET_STRING, universal, "SKI"));
    else if (id == "2.5.29.35") c.authority_key_id = decode_aki(ext);
    else if (id == "2.5.29.31") c.crl_distribution_points = decode_dps(ext);
    else if (id == "2.5.29.46") c.freshest_crl = decode_dps(ext);
    else return false;
  }
  finish(ext, "extension " + id);
  return handled;
}


PublicKeyInfo decode_spki(const BER_Object& o) {
  BER_Decoder d = open_sequence(o, "SubjectPublicKeyInfo");
  PublicKeyInfo k;
  k.der = tlv(o);
  BER_Decoder alg = open(expect(d, Botan::SEQUENCE, constructed, "AlgorithmIdentifier"));
  k.algorithm = read_oid(alg);
  if (alg.more_items()) k.params = tlv(alg.get_next_object());
  finish(alg, "AlgorithmIdentifier");
  k.key = bit_string(expect(d, Botan::BIT_STRING, universal, "subjectPublicKey"));
  finish(d, "SubjectPublicKeyInfo");
  return k;
}

CertView decode_certificate(ByteView der) {
  Signed s = decode_signed(der);
  CertView c;
  c.der.assign(der.begin(), der.end());
  c.signature_algorithm = s.alg;
  BER_Decoder t = open(s.tbs);
  BER_Object o = next(t, "serialNumber");
  if (o.is_a(0, context_cons)) {
    BER_Decoder v = open(o);
    const uint32_t version = small_uint(expect(v, Botan::INTEGER, universal, "version"));
    if (version > 2) malformed("unknown certificate version");
    c.version = int(version) + 1;
    o = next(t, "serialNumber");
  }
  if (!o.is_a(Botan::INTEGER, universal) || o.length() == 0) malformed("bad serialNumber");
  c.serial = contents(o);
  Bytes inner_alg;
  algorithm_oid(t, &inner_alg);
  if (inner_alg != s.alg_der) malformed("signature algorithm differs from tbsCertificate.signature");
  c.issuer = decode_name(next(t, "issuer"));
  BER_Decoder validity = open(expect(t, Botan::SEQUENCE, constructed, "validity"));
  c.not_before = decode_time(next(validity, "notBefore"));
  c.not_after = decode_time(next(validity, "notAfter"));
  finish(validity, "validity");
  c.subject = decode_name(next(t, "subject"));
  c.key = decode_spki(next(t, "subjectPublicKeyInfo"));
  while (t.more_items()) {
    o = t.get_next_object();
    if (o.is_a(1, context) || o.is_a(2, context)) continue;  // unique identifiers
    if (!o.is_a(3, context_cons) || c.version != 3) malformed("unexpected field in tbsCertificate");
    c.extensions = decode_extensions(o);
    finish(t, "tbsCertificate");
  }
  for (auto& e : c.extensions) e.handled = decode_cert_extension(c, e);
  return c;
}

}  // namespace

bool PublicKeyInfo::params_absent_or_null() const {
  return params.empty() || (params.size() == 2 && params[0] == 0x05 && params[1] == 0x00);
}

Result<CertView, std::string> parse_certificate(ByteView der) {
#ifdef ESSL_FUZZING
  // The state and connection fuzzers replay the same few peer chains before every input; decoding them
  // again would cost more than the message under test. A decoded view is a pure function of the bytes
  // (a mutated certificate misses and is decoded), so it is remembered (per thread).
  static thread_local std::map<Bytes, CertView> decoded;
  Bytes key(der.begin(), der.end());
  if (auto it = decoded.find(key); it != decoded.end()) return it->second;
  auto r = guarded([&] { return decode_certificate(der); });
  if (r) {
    if (decoded.size() > 64) decoded.clear();
    decoded.emplace(std::move(key), r.value());
  }
  return r;
#else
  return guarded([&] { return decode_certificate(der); });
#endif
}

bool signature_valid(const CertView& subject, const PublicKeyInfo& issuer_key, ByteView inherited_params) {
  return verify_envelope(subject.der, issuer_key, inherited_params);
}

bool signature_valid(const CertView& subject, const CertView& issuer) {
  return verify_envelope(subject.der, issuer.key, {});
}

int compare_integers(ByteView a, ByteView b) {
  auto negative = [](ByteView v) { return !v.empty() && (v[0] & 0x80); };
  auto strip = [](ByteView v) {
    const uint8_t pad = (!v.empty() && (v[0] & 0x80)) ? 0xFF : 0x00;
    size_t i = 0;
    while (i + 1 < v.size() && v[i] == pad && ((v[i + 1] & 0x80) == (pad & 0x80))) ++i;
    return v.subspan(i);
  };
  const bool na = negative(a), nb = negative(b);
  if (na != nb) return na ? -1 : 1;
  ByteView x = strip(a), y = strip(b);
  if (x.size() != y.size()) return (x.size() < y.size()) != na ? -1 : 1;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

}  // namespace essl::x509

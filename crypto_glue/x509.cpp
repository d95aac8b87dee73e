// Certificate and CRL views decoded with Botan's BER decoder; signatures checked with Botan.
#include "crypto_glue/x509.hpp"

#include <botan/ber_dec.h>
#include <botan/bigint.h>
#include <botan/der_enc.h>
#include <botan/pk_keys.h>
#include <botan/x509_key.h>
#include <botan/x509_obj.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>

namespace essl::x509 {
namespace {

using Botan::ASN1_Tag;
using Botan::BER_Decoder;
using Botan::BER_Object;

constexpr auto universal = Botan::UNIVERSAL;
constexpr auto constructed = Botan::CONSTRUCTED;
constexpr auto context = Botan::CONTEXT_SPECIFIC;
constexpr auto context_cons = ASN1_Tag(Botan::CONTEXT_SPECIFIC | Botan::CONSTRUCTED);
constexpr const char* dsa_oid = "1.2.840.10040.4.1";

struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void malformed(const std::string& what) { throw Malformed(what); }

Bytes contents(const BER_Object& o) { return Bytes(o.bits(), o.bits() + o.length()); }

// The object's DER (tag, length, contents), re-encoded from what the decoder read.
Bytes tlv(const BER_Object& o) {
  Bytes out;
  Botan::DER_Encoder(out).add_object(o.type(), o.get_class(), o.bits(), o.length());
  return out;
}

BER_Object next(BER_Decoder& d, const char* what) {
  BER_Object o = d.get_next_object();
  if (!o.is_set()) malformed(std::string("missing ") + what);
  return o;
}

BER_Object expect(BER_Decoder& d, ASN1_Tag type, ASN1_Tag cls, const char* what) {
  BER_Object o = next(d, what);
  if (!o.is_a(type, cls)) malformed(std::string("unexpected tag for ") + what);
  return o;
}

BER_Decoder open(const BER_Object& o) { return BER_Decoder(o.bits(), o.length()); }

// The end of a constructed value: nothing may follow its last field.
void finish(BER_Decoder& d, const std::string& what) {
  if (d.more_items()) malformed("trailing data in " + what);
}

// Opens a SEQUENCE, or refuses anything else as "expected WHAT".
BER_Decoder open_sequence(const BER_Object& o, const char* what) {
  if (!o.is_a(Botan::SEQUENCE, constructed)) malformed(std::string("expected ") + what);
  return open(o);
}

std::string decode_oid(const BER_Object& o) {
  if (!o.is_a(Botan::OBJECT_ID, universal) && !o.is_a(8, context)) malformed("expected an OID");
  Bytes enc;
  Botan::DER_Encoder(enc).add_object(Botan::OBJECT_ID, universal, o.bits(), o.length());
  BER_Decoder d(enc);
  Botan::OID oid;
  d.decode(oid);
  return oid.to_string();
}

std::string read_oid(BER_Decoder& d) { return decode_oid(next(d, "OID")); }

// A non-negative INTEGER (or ENUMERATED / implicitly tagged integer), capped at UINT32_MAX.
uint32_t small_uint(const BER_Object& o) {
  if (o.length() == 0 || o.length() > 64) malformed("bad INTEGER");
  if (o.bits()[0] & 0x80) malformed("negative INTEGER");
  uint64_t v = 0;
  for (size_t i = 0; i < o.length(); ++i) {
    v = (v << 8) | o.bits()[i];
    if (v > UINT32_MAX) return UINT32_MAX;
  }
  return static_cast<uint32_t>(v);
}

bool decode_bool(const BER_Object& o) {
  if (o.length() != 1) malformed("bad BOOLEAN");
  return o.bits()[0] != 0;
}

// BIT STRING contents to flags, bit n as 1 << n.
uint16_t bit_flags(const BER_Object& o) {
  if (o.length() == 0 || o.bits()[0] > 7) malformed("bad BIT STRING");
  uint16_t flags = 0;
  for (size_t i = 1; i < o.length() && i <= 2; ++i)
    for (int b = 0; b < 8; ++b)
      if (o.bits()[i] & (0x80 >> b)) flags |= uint16_t(1u << ((i - 1) * 8 + b));
  return flags;
}

Bytes bit_string(const BER_Object& o) {
  if (o.length() == 0 || o.bits()[0] > 7) malformed("bad BIT STRING");
  return Bytes(o.bits() + 1, o.bits() + o.length());
}

// ---- time ----

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Seconds decode_time(const BER_Object& o) {
  const std::string s(reinterpret_cast<const char*>(o.bits()), o.length());
  size_t year_digits;
  if (o.is_a(Botan::UTC_TIME, universal)) year_digits = 2;
  else if (o.is_a(Botan::GENERALIZED_TIME, universal)) year_digits = 4;
  else malformed("expected a Time");
  // RFC 5280 4.1.2.5: YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ.
  if (s.size() != year_digits + 11 || s.back() != 'Z') malformed("bad Time format");
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') malformed("bad Time digit");
  auto num = [&](size_t pos, size_t len) { return std::stoi(s.substr(pos, len)); };
  int year = num(0, year_digits);
  if (year_digits == 2) year += year < 50 ? 2000 : 1900;
  const size_t p = year_digits;
  const int mon = num(p, 2), day = num(p + 2, 2), h = num(p + 4, 2), mi = num(p + 6, 2), sec = num(p + 8, 2);
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || h > 23 || mi > 59 || sec > 59) malformed("bad Time value");
  return days_from_civil(year, unsigned(mon), unsigned(day)) * 86400 + h * 3600 + mi * 60 + sec;
}

// ---- names ----

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

std::string hex(const Bytes& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t c : b) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

// The attribute value as text; false for a value that is not a string type.
bool string_value(const BER_Object& o, std::string& out) {
  if (o.get_class() != universal) return false;
  const uint8_t* p = o.bits();
  const size_t n = o.length();
  switch (o.type()) {
    case Botan::UTF8_STRING: case Botan::PRINTABLE_STRING: case Botan::T61_STRING: case Botan::IA5_STRING:
    case Botan::VISIBLE_STRING: case Botan::NUMERIC_STRING:
      out.assign(reinterpret_cast<const char*>(p), n);
      return true;
    case Botan::BMP_STRING:
      if (n % 2) malformed("bad BMPString");
      for (size_t i = 0; i < n; i += 2) append_utf8(out, uint32_t(p[i]) << 8 | p[i + 1]);
      return true;
    case Botan::UNIVERSAL_STRING:
      if (n % 4) malformed("bad UniversalString");
      for (size_t i = 0; i < n; i += 4)
        append_utf8(out, uint32_t(p[i]) << 24 | uint32_t(p[i + 1]) << 16 | uint32_t(p[i + 2]) << 8 | p[i + 3]);
      return true;
    default:
      return false;
  }
}

// RFC 5280 7.1 (after RFC 4518): compare case-insensitively with leading, trailing and repeated inner
// white space removed. Case folding covers ASCII; other characters compare exactly.
std::string normalise(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
  }
  return out;
}

Rdn decode_rdn(const BER_Object& set) {
  Rdn rdn;
  BER_Decoder d = open(set);
  while (d.more_items()) {
    BER_Object atv = expect(d, Botan::SEQUENCE, constructed, "AttributeTypeAndValue");
    BER_Decoder a = open(atv);
    Attribute attr;
    attr.type = read_oid(a);
    BER_Object v = next(a, "attribute value");
    finish(a, "AttributeTypeAndValue");
    if (string_value(v, attr.value)) {
      attr.norm = normalise(attr.value);
    } else {
      attr.value = "#" + hex(tlv(v));
      attr.norm = attr.value;
    }
    rdn.push_back(std::move(attr));
  }
  if (rdn.empty()) malformed("empty RelativeDistinguishedName");
  std::sort(rdn.begin(), rdn.end(),
            [](const Attribute& x, const Attribute& y) { return std::tie(x.type, x.norm) < std::tie(y.type, y.norm); });
  return rdn;
}

Name decode_name(const BER_Object& seq) {
  BER_Decoder d = open_sequence(seq, "a Name");
  Name name;
  name.der = tlv(seq);
  while (d.more_items()) name.rdns.push_back(decode_rdn(expect(d, Botan::SET, constructed, "RDN")));
  return name;
}

bool same_rdn(const Rdn& a, const Rdn& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].type != b[i].type || a[i].norm != b[i].norm) return false;
  return true;
}

GeneralName decode_general_name(const BER_Object& o) {
  GeneralName g;
  g.der = tlv(o);
  const auto cls = o.get_class();
  if (cls != context && cls != context_cons) malformed("bad GeneralName tag");
  switch (static_cast<uint32_t>(o.type())) {
    case 0: g.type = GeneralName::Type::other; break;
    case 1: g.type = GeneralName::Type::rfc822; break;
    case 2: g.type = GeneralName::Type::dns; break;
    case 3: g.type = GeneralName::Type::x400; break;
    case 4: g.type = GeneralName::Type::directory; break;
    case 5: g.type = GeneralName::Type::edi; break;
    case 6: g.type = GeneralName::Type::uri; break;
    case 7: g.type = GeneralName::Type::ip; break;
    case 8: g.type = GeneralName::Type::registered_id; break;
    default: malformed("bad GeneralName tag");
  }
  using T = GeneralName::Type;
  if (g.type == T::rfc822 || g.type == T::dns || g.type == T::uri) {
    if (cls != context) malformed("constructed IA5String name");
    g.text.assign(reinterpret_cast<const char*>(o.bits()), o.length());
  } else if (g.type == T::ip) {
    if (cls != context) malformed("constructed iPAddress");
    g.ip = contents(o);
  } else if (g.type == T::directory) {
    if (cls != context_cons) malformed("primitive directoryName");
    BER_Decoder d = open(o);
    g.dn = decode_name(next(d, "directoryName"));
    finish(d, "directoryName");
  } else if (g.type == T::registered_id) {
    g.text = decode_oid(o);
  }
  return g;
}

std::vector<GeneralName> decode_general_names(const BER_Object& seq) {
  std::vector<GeneralName> names;
  BER_Decoder d = open(seq);
  while (d.more_items()) names.push_back(decode_general_name(d.get_next_object()));
  return names;
}

// ---- extensions ----

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

std::vector<Extension> decode_extensions(const BER_Object& explicit_tag) {
  std::vector<Extension> exts;
  std::set<std::string> seen;
  BER_Decoder outer = open(explicit_tag);
  BER_Decoder d = open(expect(outer, Botan::SEQUENCE, constructed, "Extensions"));
  if (outer.more_items()) malformed("trailing data after Extensions");
  while (d.more_items()) {
    BER_Decoder e = open(expect(d, Botan::SEQUENCE, constructed, "Extension"));
    Extension x;
    x.oid = read_oid(e);
    BER_Object o = next(e, "extnValue");
    if (o.is_a(Botan::BOOLEAN, universal)) {
      x.critical = decode_bool(o);
      o = next(e, "extnValue");
    }
    if (!o.is_a(Botan::OCTET_STRING, universal)) malformed("bad extnValue");
    x.value = contents(o);
    finish(e, "Extension");
    if (!seen.insert(x.oid).second) malformed("duplicate extension " + x.oid);
    exts.push_back(std::move(x));
  }
  return exts;
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

std::string algorithm_oid(BER_Decoder& d, Bytes* der_out) {
  BER_Object o = expect(d, Botan::SEQUENCE, constructed, "AlgorithmIdentifier");
  if (der_out) *der_out = tlv(o);
  BER_Decoder a = open(o);
  return read_oid(a);
}

// SIGNED{ToBeSigned}: the outer SEQUENCE's three parts.
struct Signed {
  BER_Object tbs;
  Bytes alg_der;
  std::string alg;
};

Signed decode_signed(ByteView der) {
  BER_Decoder top(der.data(), der.size());
  BER_Object outer = expect(top, Botan::SEQUENCE, constructed, "signed object");
  if (top.more_items()) malformed("trailing data after the signed object");
  BER_Decoder d = open(outer);
  Signed s;
  s.tbs = expect(d, Botan::SEQUENCE, constructed, "to-be-signed part");
  s.alg = algorithm_oid(d, &s.alg_der);
  bit_string(expect(d, Botan::BIT_STRING, universal, "signature"));
  finish(d, "the signed object");
  return s;
}

template <class F>
auto guarded(F&& f) -> Result<decltype(f()), std::string> {
  try {
    return f();
  } catch (const std::exception& e) {
    return fail(std::string(e.what()));
  }
}

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

// ---- CRLs ----

IssuingDistributionPoint decode_idp(BER_Decoder& ext) {
  IssuingDistributionPoint idp;
  BER_Decoder d = open(expect(ext, Botan::SEQUENCE, constructed, "IssuingDistributionPoint"));
  while (d.more_items()) {
    BER_Object o = d.get_next_object();
    if (o.is_a(0, context_cons)) decode_dp_name(o, idp.full_name, idp.relative_name);
    else if (o.is_a(1, context)) idp.only_user_certs = decode_bool(o);
    else if (o.is_a(2, context)) idp.only_ca_certs = decode_bool(o);
    else if (o.is_a(3, context)) idp.only_some_reasons = bit_flags(o);
    else if (o.is_a(4, context)) idp.indirect_crl = decode_bool(o);
    else if (o.is_a(5, context)) idp.only_attribute_certs = decode_bool(o);
    else malformed("bad IssuingDistributionPoint field");
  }
  return idp;
}

void decode_crl_extension(CrlView& crl, const Extension& e) {
  BER_Decoder ext(e.value);
  const std::string& id = e.oid;
  if (id == "2.5.29.20") {
    crl.crl_number = contents(expect(ext, Botan::INTEGER, universal, "CRLNumber"));
  } else if (id == "2.5.29.27") {
    crl.delta_base_crl_number = contents(expect(ext, Botan::INTEGER, universal, "BaseCRLNumber"));
  } else if (id == "2.5.29.28") {
    crl.idp = decode_idp(ext);
  } else if (id == "2.5.29.35") {
    crl.authority_key_id = decode_aki(ext).key_id;
  } else if (id == "2.5.29.46") {
    crl.freshest_crl = decode_dps(ext);
  } else if (id == "2.5.29.18" || id == "1.3.6.1.5.5.7.1.1") {
    ext.discard_remaining();  // issuerAltName, authorityInfoAccess: not needed
  } else {
    if (e.critical) crl.unknown_critical_extension = true;
    return;
  }
  finish(ext, "CRL extension " + id);
}

void decode_entry_extensions(RevokedEntry& r, const BER_Object& seq, std::vector<GeneralName>& issuer) {
  std::set<std::string> seen;
  BER_Decoder d = open(seq);
  while (d.more_items()) {
    BER_Decoder e = open(expect(d, Botan::SEQUENCE, constructed, "crlEntryExtension"));
    const std::string id = read_oid(e);
    bool critical = false;
    BER_Object o = next(e, "extnValue");
    if (o.is_a(Botan::BOOLEAN, universal)) {
      critical = decode_bool(o);
      o = next(e, "extnValue");
    }
    if (!o.is_a(Botan::OCTET_STRING, universal) || e.more_items()) malformed("bad crlEntryExtension");
    if (!seen.insert(id).second) malformed("duplicate CRL entry extension " + id);
    BER_Decoder v = open(o);
    if (id == "2.5.29.21") r.reason = int(small_uint(expect(v, Botan::ENUMERATED, universal, "CRLReason")));
    else if (id == "2.5.29.24") r.invalidity_date = decode_time(next(v, "invalidityDate"));
    else if (id == "2.5.29.29") issuer = decode_general_names(expect(v, Botan::SEQUENCE, constructed, "certIssuer"));
    else if (id == "2.5.29.23") v.discard_remaining();  // holdInstructionCode
    else {
      r.unknown_critical_extension = r.unknown_critical_extension || critical;
      v.discard_remaining();
    }
    finish(v, "CRL entry extension");
  }
}

CrlView decode_crl(ByteView der) {
  Signed s = decode_signed(der);
  CrlView crl;
  crl.der.assign(der.begin(), der.end());
  crl.signature_algorithm = s.alg;
  BER_Decoder t = open(s.tbs);
  BER_Object o = next(t, "signature");
  if (o.is_a(Botan::INTEGER, universal)) {
    if (small_uint(o) != 1) malformed("unknown CRL version");
    o = next(t, "signature");
  }
  if (!o.is_a(Botan::SEQUENCE, constructed) || tlv(o) != s.alg_der)
    malformed("signature algorithm differs from tbsCertList.signature");
  crl.issuer = decode_name(next(t, "issuer"));
  crl.this_update = decode_time(next(t, "thisUpdate"));
  o = t.get_next_object();
  if (o.is_a(Botan::UTC_TIME, universal) || o.is_a(Botan::GENERALIZED_TIME, universal)) {
    crl.next_update = decode_time(o);
    o = t.get_next_object();
  }
  std::vector<GeneralName> entry_issuer;  // certificateIssuer carries over to later entries
  if (o.is_a(Botan::SEQUENCE, constructed)) {
    BER_Decoder list = open(o);
    while (list.more_items()) {
      BER_Decoder e = open(expect(list, Botan::SEQUENCE, constructed, "revokedCertificate"));
      RevokedEntry r;
      BER_Object serial = expect(e, Botan::INTEGER, universal, "userCertificate");
      if (serial.length() == 0) malformed("empty serial number");
      r.serial = contents(serial);
      r.revocation_date = decode_time(next(e, "revocationDate"));
      if (e.more_items())
        decode_entry_extensions(r, expect(e, Botan::SEQUENCE, constructed, "extensions"), entry_issuer);
      finish(e, "revokedCertificate");
      r.certificate_issuer = entry_issuer;
      crl.revoked.push_back(std::move(r));
    }
    o = t.get_next_object();
  }
  if (o.is_a(0, context_cons)) {
    for (const auto& e : decode_extensions(o)) decode_crl_extension(crl, e);
    o = t.get_next_object();
  }
  if (o.is_set() || t.more_items()) malformed("trailing data in tbsCertList");
  for (const auto& r : crl.revoked)
    if (r.unknown_critical_extension) crl.unknown_critical_extension = true;
  return crl;
}

}  // namespace

bool Name::operator==(const Name& o) const {
  if (rdns.size() != o.rdns.size()) return false;
  for (size_t i = 0; i < rdns.size(); ++i)
    if (!same_rdn(rdns[i], o.rdns[i])) return false;
  return true;
}

bool Name::is_prefix_of(const Name& o) const {
  if (rdns.size() > o.rdns.size()) return false;
  for (size_t i = 0; i < rdns.size(); ++i)
    if (!same_rdn(rdns[i], o.rdns[i])) return false;
  return true;
}

Name Name::with(const Rdn& rdn) const {
  Name n = *this;
  n.rdns.push_back(rdn);
  n.der.clear();  // no encoding of its own
  return n;
}

bool GeneralName::operator==(const GeneralName& o) const {
  if (type != o.type) return false;
  switch (type) {
    case Type::directory: return dn == o.dn;
    case Type::ip: return ip == o.ip;
    case Type::dns: case Type::rfc822: return normalise(text) == normalise(o.text);
    case Type::uri: case Type::registered_id: return text == o.text;
    default: return der == o.der;
  }
}

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

Result<CrlView, std::string> parse_crl(ByteView der) {
  return guarded([&] { return decode_crl(der); });
}

bool signature_valid(const CertView& subject, const PublicKeyInfo& issuer_key, ByteView inherited_params) {
  return verify_envelope(subject.der, issuer_key, inherited_params);
}

bool signature_valid(const CertView& subject, const CertView& issuer) {
  return verify_envelope(subject.der, issuer.key, {});
}

bool crl_signature_valid(const CrlView& crl, const PublicKeyInfo& issuer_key, ByteView inherited_params) {
  return verify_envelope(crl.der, issuer_key, inherited_params);
}

bool crl_signature_valid(const CrlView& crl, const CertView& issuer) {
  return verify_envelope(crl.der, issuer.key, {});
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

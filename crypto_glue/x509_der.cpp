// BER/DER helpers, Time, Names (distinguished and general), the Extensions list and the SIGNED{} envelope.
#include "crypto_glue/x509_der.hpp"

#include <botan/der_enc.h>

#include <algorithm>
#include <set>
#include <tuple>

namespace essl::x509::der {

Bytes tlv(const BER_Object& o) {
  Bytes out;
  Botan::DER_Encoder(out).add_object(o.type(), o.get_class(), o.bits(), o.length());
  return out;
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

namespace {

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace

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

namespace {

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

}  // namespace

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

// ---- extensions and the signed envelope ----

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

std::string algorithm_oid(BER_Decoder& d, Bytes* der_out) {
  BER_Object o = expect(d, Botan::SEQUENCE, constructed, "AlgorithmIdentifier");
  if (der_out) *der_out = tlv(o);
  BER_Decoder a = open(o);
  return read_oid(a);
}

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

}  // namespace essl::x509::der

namespace essl::x509 {

namespace {

bool same_rdn(const Rdn& a, const Rdn& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].type != b[i].type || a[i].norm != b[i].norm) return false;
  return true;
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
    case Type::dns: case Type::rfc822: return der::normalise(text) == der::normalise(o.text);
    case Type::uri: case Type::registered_id: return text == o.text;
    default: return der == o.der;
  }
}

}  // namespace essl::x509

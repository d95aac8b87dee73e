// CRLs: IssuingDistributionPoint, CRL and entry extensions, decoding, and signature checks.
#include "crypto_glue/x509.hpp"

#include <set>
#include <string>
#include <vector>

#include "crypto_glue/x509_der.hpp"

namespace essl::x509 {

using namespace der;

namespace {

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

Result<CrlView, std::string> parse_crl(ByteView der) {
  return guarded([&] { return decode_crl(der); });
}

bool crl_signature_valid(const CrlView& crl, const PublicKeyInfo& issuer_key, ByteView inherited_params) {
  return verify_envelope(crl.der, issuer_key, inherited_params);
}

bool crl_signature_valid(const CrlView& crl, const CertView& issuer) {
  return verify_envelope(crl.der, issuer.key, {});
}

}  // namespace essl::x509

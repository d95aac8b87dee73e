#include "pkix/revocation.hpp"

#include <algorithm>

namespace essl::pkix {
namespace {

using x509::CertView;
using x509::CrlView;
using x509::GeneralName;

constexpr int max_nesting = 3;  // CRL issuers outside the path, certified by CRL issuers, ...
constexpr int max_signature_checks = 512;  // per validation; past it, signatures count as not verified
constexpr int remove_from_crl = 8;

GeneralName directory(const x509::Name& n) {
  GeneralName g;
  g.type = GeneralName::Type::directory;
  g.dn = n;
  return g;
}

const x509::Name* first_directory(const std::vector<GeneralName>& names) {
  for (const auto& g : names)
    if (g.type == GeneralName::Type::directory) return &g.dn;
  return nullptr;
}

bool any_common(const std::vector<GeneralName>& a, const std::vector<GeneralName>& b) {
  for (const auto& x : a)
    for (const auto& y : b)
      if (x == y) return true;
  return false;
}

bool names_issuer(const std::vector<GeneralName>& names, const x509::Name& issuer) {
  return std::any_of(names.begin(), names.end(), [&](const GeneralName& g) {
    return g.type == GeneralName::Type::directory && g.dn == issuer;
  });
}

// The entry revoking `cert` (RFC 5280 6.3.3 (i)): same serial number, and the entry's certificate
// issuer (the CRL issuer unless a certificateIssuer extension says otherwise) is the cert's issuer.
const x509::RevokedEntry* find_entry(const CrlView& crl, const CertView& cert) {
  for (const auto& e : crl.revoked) {
    if (x509::compare_integers(e.serial, cert.serial) != 0) continue;
    const bool same_issuer =
        e.certificate_issuer.empty() ? crl.issuer == cert.issuer : names_issuer(e.certificate_issuer, cert.issuer);
    if (same_issuer) return &e;
  }
  return nullptr;
}

bool same_idp(const CrlView& a, const CrlView& b) {
  if (a.idp.has_value() != b.idp.has_value()) return false;
  if (!a.idp) return true;
  const auto &x = *a.idp, &y = *b.idp;
  return x.full_name == y.full_name && x.only_user_certs == y.only_user_certs &&
         x.only_ca_certs == y.only_ca_certs && x.only_some_reasons == y.only_some_reasons &&
         x.indirect_crl == y.indirect_crl && x.only_attribute_certs == y.only_attribute_certs;
}

DistributionPoint api_point(const x509::DistributionPoint& dp, const CertView& cert, bool implicit) {
  DistributionPoint out;
  if (implicit) {
    out.crl_issuer = cert.issuer.der;
    return out;
  }
  if (dp.full_name)
    for (const auto& g : *dp.full_name)
      if (g.type == GeneralName::Type::uri) out.uris.push_back(g.text);
  if (const auto* dn = first_directory(dp.crl_issuer)) out.crl_issuer = dn->der;
  out.der = dp.der;
  return out;
}

}  // namespace

std::string crl_reason_atom(int code) {
  static const char* atoms[] = {"unspecified",        "keyCompromise",   "cACompromise",  "affiliationChanged",
                                "superseded",         "cessationOfOperation", "certificateHold", "unspecified",
                                "removeFromCRL",      "privilegeWithdrawn",   "aACompromise"};
  return code >= 0 && code <= 10 ? atoms[code] : "unspecified";
}

RevocationChecker::RevocationChecker(CrlCache* cache, const std::vector<Der>& extra_crls, x509::Seconds now)
    : cache_(cache), now_(now) {
  for (const auto& der : extra_crls)
    if (auto crl = parse(der)) extra_.push_back(std::move(crl));
}

RevocationChecker::CrlPtr RevocationChecker::parse(const Der& der) {
  auto it = parsed_.find(der);
  if (it != parsed_.end()) return it->second;
  CrlPtr p;
  if (auto r = x509::parse_crl(der)) p = std::make_shared<const CrlView>(std::move(r.value()));
  parsed_[der] = p;
  return p;
}

bool RevocationChecker::budget() { return ++signature_checks_ <= max_signature_checks; }

bool RevocationChecker::current(const CrlView& crl) const {
  return crl.this_update <= now_ && (!crl.next_update || *crl.next_update >= now_);
}

std::vector<RevocationChecker::CrlPtr> RevocationChecker::crls_for(const x509::DistributionPoint& dp,
                                                                    const CertView& cert, bool implicit) {
  std::vector<CrlPtr> out;
  if (cache_) {
    const DistributionPoint point = api_point(dp, cert, implicit);
    std::vector<Der> ders;
    std::optional<std::vector<Der>> found;
    if (!implicit) found = cache_->lookup(point);
    if (found) {
      ders = std::move(*found);
    } else {
      const auto* dn = implicit ? nullptr : first_directory(dp.crl_issuer);
      ders = cache_->select(dn ? dn->der : cert.issuer.der);
    }
    std::vector<Der> stale;
    for (const auto& der : ders)
      if (auto crl = parse(der)) {
        if (!current(*crl)) stale.push_back(der);
        out.push_back(std::move(crl));
      }
    // ssl_crl_cache_api:fresh_crl/2 for CRLs whose nextUpdate has passed.
    if (!stale.empty())
      for (const auto& der : cache_->fresh_crl(point, stale))
        if (auto crl = parse(der)) out.push_back(std::move(crl));
  }
  out.insert(out.end(), extra_.begin(), extra_.end());
  return out;
}

// RFC 5280 6.3.3 (b): the CRL covers this certificate through this distribution point.
bool RevocationChecker::in_scope(const x509::DistributionPoint& dp, bool implicit, const CrlView& crl,
                                 const CertView& cert) const {
  if (!implicit && !dp.crl_issuer.empty()) {
    if (!crl.idp || !crl.idp->indirect_crl || !names_issuer(dp.crl_issuer, crl.issuer)) return false;
  } else if (!(crl.issuer == cert.issuer)) {
    return false;
  }
  if (!crl.idp) return true;
  const auto& idp = *crl.idp;
  if (idp.full_name || idp.relative_name) {
    const std::vector<GeneralName> idp_names =
        idp.full_name ? *idp.full_name : std::vector<GeneralName>{directory(crl.issuer.with(*idp.relative_name))};
    std::vector<GeneralName> dp_names;
    if (!implicit && dp.full_name) {
      dp_names = *dp.full_name;
    } else if (!implicit && dp.relative_name) {
      const auto* base = first_directory(dp.crl_issuer);
      dp_names = {directory((base ? *base : cert.issuer).with(*dp.relative_name))};
    } else if (!implicit) {
      dp_names = dp.crl_issuer;
    }
    if (!any_common(idp_names, dp_names)) return false;
  }
  if (idp.only_user_certs && cert.is_ca()) return false;
  if (idp.only_ca_certs && !cert.is_ca()) return false;
  return !idp.only_attribute_certs;
}

bool RevocationChecker::cert_trusted(const CertView& c, int nesting) {
  if (nesting >= max_nesting || c.not_before > now_ || c.not_after < now_) return false;
  auto consider = [&](const CertView* cand, bool trusted) {
    if (cand == &c || !(cand->subject == c.issuer)) return false;
    if (!trusted && (!cand->is_ca() || (cand->key_usage && !(*cand->key_usage & x509::ku_key_cert_sign))))
      return false;
    if (!budget() || !x509::signature_valid(c, *cand)) return false;
    if (!trusted && !cert_trusted(*cand, nesting + 1)) return false;
    // While its own status is checked, the CRL issuer may vouch for itself: an indirect CRL can cover
    // the certificate of the CRL issuer that signs it.
    pending_.push_back(&c);
    const bool good = check(c, *cand, {}, nesting + 1).kind == RevocationStatus::Kind::good;
    pending_.pop_back();
    return good;
  };
  for (const auto* t : trusted_)
    if (consider(t, true)) return true;
  for (const auto* o : others_)
    if (std::find(trusted_.begin(), trusted_.end(), o) == trusted_.end() && consider(o, false)) return true;
  return false;
}

std::optional<RevocationChecker::Signer> RevocationChecker::find_signer(const CrlView& crl, const CertView& issuer,
                                                                        const x509::Bytes& issuer_params,
                                                                        int nesting) {
  std::vector<const CertView*> cands;
  if (issuer.subject == crl.issuer) cands.push_back(&issuer);
  for (const auto* t : trusted_)
    if (t->subject == crl.issuer) cands.push_back(t);
  const size_t trusted_count = cands.size();
  for (const auto* o : others_)
    if (o->subject == crl.issuer) cands.push_back(o);
  for (size_t i = 0; i < cands.size(); ++i) {
    const CertView* c = cands[i];
    if (c->key_usage && !(*c->key_usage & x509::ku_crl_sign)) continue;  // RFC 5280 6.3.3 (f)
    const x509::Bytes params = c == &issuer ? issuer_params : x509::Bytes{};
    if (!budget() || !x509::crl_signature_valid(crl, c->key, params)) continue;
    const bool pending = std::find(pending_.begin(), pending_.end(), c) != pending_.end();
    if (i < trusted_count || pending || cert_trusted(*c, nesting)) return Signer{c, params};
  }
  return std::nullopt;
}

RevocationStatus RevocationChecker::check(const CertView& cert, const CertView& issuer,
                                          const x509::Bytes& issuer_params, int nesting) {
  RevocationStatus status;
  if (nesting > max_nesting) return status;
  const bool implicit = cert.crl_distribution_points.empty();
  const std::vector<x509::DistributionPoint> dps =
      implicit ? std::vector<x509::DistributionPoint>(1) : cert.crl_distribution_points;
  uint16_t mask = 0;
  std::optional<int> revoked;
  for (const auto& dp : dps) {
    if (mask == x509::all_reasons || revoked) break;
    const auto crls = crls_for(dp, cert, implicit);
    for (const auto& crl : crls) {
      if (mask == x509::all_reasons || revoked) break;
      if (crl->delta_base_crl_number || crl->unknown_critical_extension) continue;
      if (!in_scope(dp, implicit, *crl, cert)) continue;
      // Delta CRLs (RFC 5280 5.2.4, 6.3.3 (g)-(h)) over this complete CRL: same issuer and scope, based
      // on this CRL or an earlier one, and newer than it.
      std::vector<CrlPtr> deltas;
      if (crl->crl_number)
        for (const auto& d : crls)
          if (d->delta_base_crl_number && !d->unknown_critical_extension && d->crl_number &&
              d->issuer == crl->issuer && same_idp(*d, *crl) && current(*d) &&
              x509::compare_integers(*d->delta_base_crl_number, *crl->crl_number) <= 0 &&
              x509::compare_integers(*d->crl_number, *crl->crl_number) > 0)
            deltas.push_back(d);
      if (!current(*crl) && deltas.empty()) continue;
      uint16_t interim = x509::all_reasons;
      if (!implicit && dp.reasons) interim &= *dp.reasons;
      if (crl->idp && crl->idp->only_some_reasons) interim &= *crl->idp->only_some_reasons;
      if ((interim & ~mask) == 0) continue;
      const auto signer = find_signer(*crl, issuer, issuer_params, nesting);
      if (!signer) continue;
      const CrlView* delta = nullptr;
      for (const auto& d : deltas)
        if ((!delta || x509::compare_integers(*d->crl_number, *delta->crl_number) > 0) &&
            budget() && x509::crl_signature_valid(*d, signer->cert->key, signer->params))
          delta = d.get();
      if (!delta && !current(*crl)) continue;
      const x509::RevokedEntry* entry = delta ? find_entry(*delta, cert) : nullptr;
      if (!entry) entry = find_entry(*crl, cert);
      if (entry && entry->reason.value_or(0) != remove_from_crl) revoked = entry->reason.value_or(0);
      mask |= interim;
    }
  }
  if (revoked) {
    status.kind = RevocationStatus::Kind::revoked;
    status.reason = *revoked;
  } else if (mask == x509::all_reasons) {
    status.kind = RevocationStatus::Kind::good;
  }
  return status;
}

}  // namespace essl::pkix

// Certificate revocation status from CRLs (RFC 5280 6.3): distribution points, the CRL's scope and
// reasons, indirect CRLs, delta CRLs, certificateHold and removeFromCRL.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crypto_glue/x509.hpp"
#include "essl/verify.hpp"

namespace essl::pkix {

struct RevocationStatus {
  enum class Kind { good, revoked, undetermined };
  Kind kind = Kind::undetermined;
  int reason = 0;  // CRLReason code when revoked
};

// The CRLReason atom of a code: "keyCompromise", "certificateHold", ...
std::string crl_reason_atom(int code);

class RevocationChecker {
 public:
  // `trusted` are certificates whose keys may sign CRLs without further checks (the anchor and the
  // certificates of the validated path); `others` (the received chain and every anchor) may hold
  // further CRL issuers, accepted when they chain to a trusted certificate.
  RevocationChecker(CrlCache* cache, const std::vector<Der>& extra_crls, x509::Seconds now);

  void set_trusted(std::vector<const x509::CertView*> trusted) { trusted_ = std::move(trusted); }
  void set_others(std::vector<const x509::CertView*> others) { others_ = std::move(others); }

  // The status of `cert`, issued by `issuer` (whose key has `issuer_params` in force).
  RevocationStatus check(const x509::CertView& cert, const x509::CertView& issuer,
                         const x509::Bytes& issuer_params, int nesting = 0);

 private:
  using CrlPtr = std::shared_ptr<const x509::CrlView>;
  struct Signer {
    const x509::CertView* cert = nullptr;
    x509::Bytes params;
  };
  std::vector<CrlPtr> crls_for(const x509::DistributionPoint& dp, const x509::CertView& cert, bool implicit);
  CrlPtr parse(const Der& der);
  bool current(const x509::CrlView& crl) const;
  bool in_scope(const x509::DistributionPoint& dp, bool implicit, const x509::CrlView& crl,
                const x509::CertView& cert) const;
  std::optional<Signer> find_signer(const x509::CrlView& crl, const x509::CertView& issuer,
                                    const x509::Bytes& issuer_params, int nesting);
  bool cert_trusted(const x509::CertView& c, int nesting);
  bool budget();  // counts a signature check; false once there were too many

  int signature_checks_ = 0;

  CrlCache* cache_;
  std::vector<CrlPtr> extra_;
  x509::Seconds now_;
  std::map<Der, CrlPtr> parsed_;
  std::vector<const x509::CertView*> trusted_, others_;
  std::vector<const x509::CertView*> pending_;  // CRL issuers whose own status is being checked
};

}  // namespace essl::pkix

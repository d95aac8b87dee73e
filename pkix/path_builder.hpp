// Finds a certification path from the peer certificate to a trust anchor through the certificates the
// peer sent, whatever their order; unrelated certificates are left out.
#pragma once
#include <vector>

#include "crypto_glue/x509.hpp"

namespace essl::pkix {

struct BuiltPath {
  std::vector<const x509::CertView*> certs;  // the trust anchor's subject first, the peer last
  const x509::CertView* anchor = nullptr;    // null: no trusted issuer was reached
};

// Issuers are matched by name (RFC 5280 7.1); among several candidates, those whose key verifies the
// signature come first, then those whose subjectKeyIdentifier matches the authorityKeyIdentifier, then
// trust anchors. The search is depth-first and bounded; a path that reaches an anchor wins, otherwise
// the longest path found is returned without an anchor.
BuiltPath build_path(const x509::CertView& peer, const std::vector<x509::CertView>& received,
                     const std::vector<x509::CertView>& anchors);

}  // namespace essl::pkix

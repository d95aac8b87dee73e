// Name constraints (RFC 5280 4.2.1.10, 6.1.3 (b)-(c), 6.1.4 (g)) and host name matching (RFC 6125).
#pragma once
#include <string>
#include <vector>

#include "crypto_glue/x509.hpp"

namespace essl::pkix {

// permitted_subtrees and excluded_subtrees. The intersection of the permitted subtrees is kept as the
// list of each certificate's permitted set: a name must fall within one subtree of its type from every
// set that has subtrees of that type.
class NameConstraintState {
 public:
  void add(const x509::NameConstraints& nc);
  // The subject name, each subjectAltName and each emailAddress attribute of the subject.
  bool permits(const x509::CertView& cert) const;
  bool permits(const x509::GeneralName& name) const;

 private:
  std::vector<std::vector<x509::GeneralName>> permitted_;
  std::vector<x509::GeneralName> excluded_;
};

// Whether `name` lies within the subtree `base` (both of the same type).
bool within_subtree(const x509::GeneralName& name, const x509::GeneralName& base);

// RFC 6125 6.4: `host` (a DNS name or an IP literal) against the subjectAltName dNSName and iPAddress
// entries; the subject's common names only when there is no dNSName entry. A wildcard matches one whole
// left-most label of a name with at least three labels ("*.example.com").
bool hostname_matches(const x509::CertView& peer, const std::string& host);

}  // namespace essl::pkix

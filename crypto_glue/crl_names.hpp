// What the CRL cache needs from a CertificateList (RFC 5280 5.1): its issuer Name and its update times.
// Signatures are not checked here (path validation does that with the issuer's key).
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "codecs/wire.hpp"
#include "essl/result.hpp"

namespace essl::crypto {

struct CrlNames {
  codec::Bytes der;        // the whole CertificateList, exactly as given
  codec::Bytes issuer_dn;  // DER of tbsCertList.issuer, as encoded in the CRL
  std::chrono::system_clock::time_point this_update;
  std::optional<std::chrono::system_clock::time_point> next_update;
};

// One DER CertificateList, nothing after it.
Result<CrlNames, std::string> parse_crl_names(codec::ByteView der);

// Every "X509 CRL" block of a PEM text (other blocks are skipped), or DER CertificateLists back to back.
// Fails on anything that is not a CRL and on a text with no CRL at all.
Result<std::vector<CrlNames>, std::string> parse_crls(codec::ByteView pem_or_der);

}  // namespace essl::crypto

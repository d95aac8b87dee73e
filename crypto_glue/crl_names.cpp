// CRL issuer names and update times, from the x509 views.
#include "crypto_glue/crl_names.hpp"

#include "crypto_glue/certs.hpp"
#include "crypto_glue/x509.hpp"

namespace essl::crypto {

Result<CrlNames, std::string> parse_crl_names(codec::ByteView der) {
  if (der.empty()) return fail(std::string("not a CRL: empty"));
  auto crl = x509::parse_crl(der);
  if (!crl) return fail("not a CRL: " + crl.error());
  if (crl->issuer.rdns.empty()) return fail(std::string("not a CRL: empty issuer name"));
  CrlNames out;
  out.der.assign(der.begin(), der.end());
  out.issuer_dn = crl->issuer.der;
  out.this_update = std::chrono::system_clock::time_point(std::chrono::seconds(crl->this_update));
  if (crl->next_update) out.next_update = std::chrono::system_clock::time_point(std::chrono::seconds(*crl->next_update));
  return out;
}

Result<std::vector<CrlNames>, std::string> parse_crls(codec::ByteView pem_or_der) {
  auto ders = split_pem_or_der(pem_or_der, "X509 CRL", "CRL");
  if (!ders) return fail(ders.error());
  if (ders->empty()) return fail(std::string("no CRL"));
  std::vector<CrlNames> out;
  for (const Bytes& der : *ders) {
    auto c = parse_crl_names(der);
    if (!c) return fail(c.error());
    out.push_back(std::move(c.value()));
  }
  return out;
}

}  // namespace essl::crypto

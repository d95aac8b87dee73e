// The process-wide CRL store behind ssl_crl_cache: CRLs filed by distribution-point URI and found by
// issuer Name. Thread-safe; every call takes one lock and copies what it returns.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto_glue/crl_names.hpp"
#include "essl/verify.hpp"

namespace essl::crl_cache {

class Store {
 public:
  // The one store of the process.
  static Store& instance();

  // Adds CRLs; with a URI they are also filed under it (a CRL may be filed under several URIs).
  void add(const std::vector<crypto::CrlNames>& crls, const std::optional<std::string>& uri);
  // Files `crls` under `uri` in place of what was filed there before (a refetched distribution point).
  void replace(const std::string& uri, const std::vector<crypto::CrlNames>& crls);
  // Unfiles every CRL from `uri`; a CRL left with no URI and never added without one is dropped.
  void remove_uri(const std::string& uri);
  // Drops these CRLs (compared by DER), whatever they are filed under.
  void remove_ders(const std::vector<Der>& ders);

  std::vector<Der> by_uri(const std::string& uri) const;
  std::vector<Der> by_issuer(std::span<const uint8_t> issuer_dn) const;
  size_t size() const;

 private:
  struct Entry {
    Der der;
    Der issuer_dn;
    std::vector<std::string> uris;  // distribution points it is filed under
    bool unfiled = false;           // added without a URI: stays until deleted by DER or file
  };
  Entry& find_or_add(const crypto::CrlNames& crl);  // caller holds mu_
  void drop_orphans();                              // caller holds mu_

  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // in insertion order; a cache holds tens of CRLs, so a scan is enough
};

// Reads a {file, Path} or takes a {der, [Der]} source and parses every CRL in it.
Result<std::vector<crypto::CrlNames>, Error> load(const ssl_crl_cache::CrlSource& src);

// A URI as stored and compared: surrounding white space removed.
std::string normalise_uri(std::string_view uri);

}  // namespace essl::crl_cache

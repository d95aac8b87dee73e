// ssl_crl_cache:internal(http): the ssl_crl_cache_api over the process-wide store.
//
// lookup/3 goes through the distribution point's URIs in order: the first that has CRLs in the store
// answers; with {http, Timeout}, an http:// URI with nothing stored is fetched and what it serves is kept
// under it. Nothing found is not_available. fresh_crl/2 refetches (with http) and otherwise keeps the
// CRLs it was given.
#include <algorithm>
#include <utility>

#include "crl_cache/http_fetch.hpp"
#include "crl_cache/store.hpp"
#include "crypto_glue/crl_names.hpp"

namespace essl::crl_cache {
namespace {

class InternalCache final : public CrlCache {
 public:
  explicit InternalCache(std::optional<std::chrono::milliseconds> http) : http_(http) {}

  std::optional<std::vector<Der>> lookup(const DistributionPoint& dp) override {
    Store& store = Store::instance();
    for (const auto& raw : dp.uris) {
      const std::string uri = normalise_uri(raw);
      if (uri.empty()) continue;
      auto stored = store.by_uri(uri);
      if (!stored.empty()) return stored;
      if (auto fetched = fetch(uri)) return fetched;
    }
    return std::nullopt;
  }

  std::vector<Der> select(std::span<const uint8_t> issuer_name) override {
    return Store::instance().by_issuer(issuer_name);
  }

  std::vector<Der> fresh_crl(const DistributionPoint& dp, const std::vector<Der>& crls) override {
    for (const auto& raw : dp.uris) {
      if (auto fetched = fetch(normalise_uri(raw))) return std::move(*fetched);
    }
    return crls;
  }

 private:
  // The CRLs at `uri`, now filed under it in the store; nullopt without http, for another scheme, or when
  // the fetch or the parse fails (the store keeps what it had then).
  std::optional<std::vector<Der>> fetch(const std::string& uri) {
    if (!http_ || !is_http_uri(uri)) return std::nullopt;
    FetchLimits limits;
    limits.timeout = *http_;
    auto body = http_get(uri, limits);
    if (!body) return std::nullopt;
    auto crls = crypto::parse_crls(*body);
    if (!crls) return std::nullopt;
    Store::instance().replace(uri, *crls);
    std::vector<Der> out;
    out.reserve(crls->size());
    for (auto& c : *crls) out.push_back(std::move(c.der));
    return out;
  }

  std::optional<std::chrono::milliseconds> http_;
};

}  // namespace
}  // namespace essl::crl_cache

namespace essl::ssl_crl_cache {

std::shared_ptr<CrlCache> internal(std::optional<std::chrono::milliseconds> http) {
  return std::make_shared<crl_cache::InternalCache>(http);
}

}  // namespace essl::ssl_crl_cache

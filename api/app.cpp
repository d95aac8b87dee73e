// start/stop, versions, the application environment and the PEM cache: the application as a whole.
#include "api/app.hpp"

#include <algorithm>
#include <mutex>

#include "essl/ssl.hpp"
#include "statemachine/pem_cache.hpp"

#ifndef ESSL_VERSION
#define ESSL_VERSION "0.0.0"
#endif

namespace essl {
namespace {

std::mutex app_mu;
std::shared_ptr<SessionCache> client_cache;
AppConfig app_env;  // as last set; the services hold the effective values

}  // namespace

std::shared_ptr<SessionCache> detail::client_session_cache() {
  std::lock_guard lock(app_mu);
  if (!client_cache) client_cache = std::make_shared<MemorySessionCache>();
  return client_cache;
}

Result<std::shared_ptr<const Config>, Error> detail::make_config(Role role, const Options& options,
                                                                 std::shared_ptr<SessionCache> cache) {
  if (auto v = validate(options); !v) return fail(v.error());
  const auto app_versions = app_config().protocol_version;
  const bool default_crl_cache = options.crl_check != CrlCheck::off && !options.crl_cache;
  const bool app_default_versions = options.versions.empty() && app_versions;
  if (!default_crl_cache && !app_default_versions) return Config::make(role, options, std::move(cache));
  Options o = options;
  if (default_crl_cache) o.crl_cache = ssl_crl_cache::internal();
  if (app_default_versions) o.versions = *app_versions;
  return Config::make(role, o, std::move(cache));
}

Result<void, Error> start() {
  (void)detail::client_session_cache();
  return {};
}

void stop() {
  std::lock_guard lock(app_mu);
  // Connections hold their own reference; new connections get a fresh, empty cache.
  client_cache.reset();
}

Result<void, Error> set_app_config(const AppConfig& config) {
  if (config.ssl_pem_cache_clean && config.ssl_pem_cache_clean->count() < 0)
    return fail(Error::options("ssl_pem_cache_clean", "must be 0 or more milliseconds, got " +
                                                          std::to_string(config.ssl_pem_cache_clean->count())));
  if (config.protocol_version) {
    if (config.protocol_version->empty()) return fail(Error::options("protocol_version", "an empty list"));
    for (Version v : *config.protocol_version)
      if (v < Version::sslv3 || v > Version::tlsv1_2)
        return fail(Error::options("protocol_version", "unknown version " + std::to_string(int(v))));
  }
  std::lock_guard lock(app_mu);
  app_env = config;
  pem_cache::set_clean_interval(config.ssl_pem_cache_clean.value_or(pem_cache::default_clean_interval));
  return {};
}

AppConfig app_config() {
  std::lock_guard lock(app_mu);
  return app_env;
}

Result<void, Error> clear_pem_cache() {
  pem_cache::clear();
  return {};
}

VersionsInfo versions() {
  VersionsInfo v;
  v.app_vsn = ESSL_VERSION;
  auto configured = app_config().protocol_version;
  v.supported = configured ? *configured : std::vector<Version>{Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1};
  std::sort(v.supported.begin(), v.supported.end(), std::greater<>());
  v.supported.erase(std::unique(v.supported.begin(), v.supported.end()), v.supported.end());
  v.available = {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1, Version::sslv3};
  return v;
}

}  // namespace essl

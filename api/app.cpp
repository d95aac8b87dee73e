// start/stop, versions, the application environment and the PEM cache: the application as a whole.
#include "api/app.hpp"

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
  if (options.crl_check == CrlCheck::off || options.crl_cache) return Config::make(role, options, std::move(cache));
  Options o = options;
  o.crl_cache = ssl_crl_cache::internal();
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
  v.supported = {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1};
  // SSL 3.0 has no usable suites in this build's engine, so it is not offered as available.
  v.available = {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1};
  return v;
}

}  // namespace essl

// start/stop, versions, the application environment, the session caches and the PEM cache: the
// application as a whole.
#include "api/app.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "essl/ssl.hpp"
#include "statemachine/pem_cache.hpp"

#ifndef ESSL_VERSION
#define ESSL_VERSION "0.0.0"
#endif

namespace essl {
namespace {

std::mutex app_mu;
AppConfig app_env;  // as last set; the services hold the effective values

// The session caches, open from start() to stop(). Their own lock: init and terminate are user code.
std::mutex cache_mu;
std::shared_ptr<SessionStore> client_store, server_store;

// With cache_mu held: init(client), then init(server), as the spec's start does.
Result<void, Error> open_caches() {
  if (client_store) return {};
  const AppConfig env = app_config();
  auto cb = env.session_cb ? env.session_cb : std::make_shared<MemorySessionCache>();
  SessionLimits client_limits, server_limits;
  if (env.session_lifetime)
    client_limits.lifetime_seconds = server_limits.lifetime_seconds = env.session_lifetime->count();
  if (env.session_cache_client_max) client_limits.max_entries = size_t(*env.session_cache_client_max);
  if (env.session_cache_server_max) server_limits.max_entries = size_t(*env.session_cache_server_max);
  auto client = SessionStore::open(Role::client, cb, env.session_cb_init_args, client_limits);
  if (!client) return fail(client.error());
  auto server = SessionStore::open(Role::server, cb, env.session_cb_init_args, server_limits);
  if (!server) {
    (*client)->terminate();
    return fail(server.error());
  }
  client_store = std::move(client).value();
  server_store = std::move(server).value();
  return {};
}

}  // namespace

Res<std::shared_ptr<SessionStore>> detail::session_store(Role role) {
  std::lock_guard lock(cache_mu);
  if (auto r = open_caches(); !r) return fail(r.error());
  return role == Role::client ? client_store : server_store;
}

Result<std::shared_ptr<const Config>, Error> detail::make_config(Role role, const Options& options,
                                                                 std::shared_ptr<SessionStore> cache) {
  if (auto v = validate(options); !v) return fail(v.error());
  const AppConfig env = app_config();
  const bool default_crl_cache = options.crl_check != CrlCheck::off && !options.crl_cache;
  const bool app_default_versions = options.versions.empty() && env.protocol_version;
  Options o = options;
  if (default_crl_cache) o.crl_cache = ssl_crl_cache::internal();
  if (app_default_versions) o.versions = *env.protocol_version;
  if (!o.alert_timeout) o.alert_timeout = int(env.alert_timeout.value_or(default_alert_timeout).count());
  return Config::make(role, o, std::move(cache));
}

Result<void, Error> start() {
  // The first successful start() reads the configuration from outside the program.
  static std::atomic<bool> environment_loaded{false};
  if (!environment_loaded) {
    if (auto r = load_app_config(); !r) return r;
    environment_loaded = true;
  }
  std::lock_guard lock(cache_mu);
  return open_caches();
}

void stop() {
  std::lock_guard lock(cache_mu);
  // Connections keep their reference to a terminated store, which finds nothing and stores nothing.
  for (auto* store : {&client_store, &server_store}) {
    if (*store) (*store)->terminate();
    store->reset();
  }
}

Result<void, Error> set_app_config(const AppConfig& config) {
  if (config.ssl_pem_cache_clean && config.ssl_pem_cache_clean->count() < 0)
    return fail(Error::options("ssl_pem_cache_clean", "must be 0 or more milliseconds, got " +
                                                          std::to_string(config.ssl_pem_cache_clean->count())));
  if (config.session_lifetime && config.session_lifetime->count() < 0)
    return fail(Error::options("session_lifetime", "must be 0 or more seconds, got " +
                                                       std::to_string(config.session_lifetime->count())));
  if (config.alert_timeout && (config.alert_timeout->count() < 0 || config.alert_timeout->count() > INT32_MAX))
    return fail(Error::options("alert_timeout", "must be 0 to 2147483647 milliseconds, got " +
                                                    std::to_string(config.alert_timeout->count())));
  const std::pair<const char*, const std::optional<int64_t>*> maxima[] = {
      {"session_cache_client_max", &config.session_cache_client_max},
      {"session_cache_server_max", &config.session_cache_server_max}};
  for (const auto& [name, max] : maxima)
    if (*max && **max < 1) return fail(Error::options(name, "must be 1 or more, got " + std::to_string(**max)));
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

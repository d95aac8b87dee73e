// start/stop and versions: the application as a whole.
#include "api/app.hpp"

#include <mutex>

#include "essl/ssl.hpp"

#ifndef ESSL_VERSION
#define ESSL_VERSION "0.0.0"
#endif

namespace essl {
namespace {

std::mutex app_mu;
std::shared_ptr<SessionCache> client_cache;

}  // namespace

std::shared_ptr<SessionCache> detail::client_session_cache() {
  std::lock_guard lock(app_mu);
  if (!client_cache) client_cache = std::make_shared<MemorySessionCache>();
  return client_cache;
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

VersionsInfo versions() {
  VersionsInfo v;
  v.app_vsn = ESSL_VERSION;
  v.supported = {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1};
  // SSL 3.0 has no usable suites in this build's engine, so it is not offered as available.
  v.available = {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1};
  return v;
}

}  // namespace essl

// essl as NNG's TLS engine: the config ops collect essl::Options, the conn ops drive one essl::Tls per
// connection and move its records through nng_tls_engine_send/nng_tls_engine_recv.
//
// NNG calls the conn ops with the connection's lock held, from its own threads: handshake when the
// transport finished a send or a receive (until it returns 0), recv and send for the stream's callers
// (before the handshake is done too, so both drive it). An op returns NNG_EAGAIN only after
// nng_tls_engine_send or nng_tls_engine_recv did: then a transport send or receive is under way, and
// its completion calls the ops again.
#include "essl/nng.hpp"

#include <nng/nng.h>
extern "C" {
#include <nng/supplemental/tls/engine.h>
}

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/crl_names.hpp"
#include "essl/tls.hpp"

namespace essl::nng::detail {

using Bytes = std::vector<uint8_t>;

// One send op takes at most one record's worth of data.
constexpr size_t max_send = 16384;
// One nng_tls_engine_recv reads at most this much (NNG's own buffer is as large).
constexpr size_t read_chunk = 16384;

// The CRLs of ca_chain, handed to path validation by issuer.
class ConfigCrls : public CrlCache {
 public:
  explicit ConfigCrls(std::vector<crypto::CrlNames> crls) : crls_(std::move(crls)) {}
  std::optional<std::vector<Der>> lookup(const DistributionPoint&) override { return std::nullopt; }
  std::vector<Der> select(std::span<const uint8_t> issuer_name) override {
    std::vector<Der> out;
    for (const auto& c : crls_)
      if (std::equal(c.issuer_dn.begin(), c.issuer_dn.end(), issuer_name.begin(), issuer_name.end()))
        out.push_back(c.der);
    return out;
  }
  std::vector<Der> fresh_crl(const DistributionPoint&, const std::vector<Der>& crls) override { return crls; }

 private:
  std::vector<crypto::CrlNames> crls_;
};

// What the config ops set, and the TlsConfig made from it at the first connection.
struct EngineConfig {
  bool server = false;
  std::string server_name;
  nng_tls_auth_mode auth = NNG_TLS_AUTH_MODE_NONE;
  std::vector<Bytes> cacerts;
  std::shared_ptr<ConfigCrls> crls;
  Bytes cert;  // DER, the chain back to back (leaf first)
  std::optional<PrivateKeyDer> key;
  std::vector<Version> versions;  // empty: essl's default

  std::mutex mu;  // connections of one config may start on several threads at once
  std::optional<TlsConfig> made;

  Options options() const {
    Options o;
    o.versions = versions;
    o.cert = cert;
    o.key = key;
    o.cacerts = cacerts;
    o.verify = auth == NNG_TLS_AUTH_MODE_NONE ? Verify::verify_none : Verify::verify_peer;
    if (server) {
      o.fail_if_no_peer_cert = auth == NNG_TLS_AUTH_MODE_REQUIRED;
    } else if (server_name.empty()) {
      o.server_name_indication = DisableSni{};
    } else {
      o.server_name_indication = server_name;
    }
    if (crls) {
      o.crl_check = CrlCheck::best_effort;
      o.crl_cache = crls;
    }
    // The session cache is keyed by the peer's host and port, which an engine is not told.
    o.reuse_sessions = false;
    return o;
  }

  // The TlsConfig of these options, made once.
  Res<TlsConfig> tls_config() {
    std::lock_guard lock(mu);
    if (!made) {
      auto r = server ? TlsConfig::server(options()) : TlsConfig::client(options());
      if (!r) return fail(r.error());
      made = std::move(r).value();
    }
    return *made;
  }
};

// One connection: the TLS state and the send op whose records are not all handed over yet.
struct EngineConn {
  EngineConn(void* t, const TlsConfig& config, bool verify) : transport(t), tls(config), verify_peer(verify) {}
  void* transport;  // NNG's argument to nng_tls_engine_send/recv
  Tls tls;
  bool verify_peer;
  Bytes in = Bytes(read_chunk);
  const uint8_t* sending = nullptr;  // the buffer of that send op, and how much of it was taken
  size_t sending_len = 0;
};

bool certificate_alert(AlertDescription a) {
  switch (a) {
    case AlertDescription::no_certificate:
    case AlertDescription::bad_certificate:
    case AlertDescription::unsupported_certificate:
    case AlertDescription::certificate_revoked:
    case AlertDescription::certificate_expired:
    case AlertDescription::certificate_unknown:
    case AlertDescription::unknown_ca:
    case AlertDescription::access_denied: return true;
    default: return false;
  }
}

// The NNG error for a connection's fatal error. A handshake_failure we send while checking the peer's
// certificate (state certify: a host name mismatch, a missing client certificate) is an
// authentication failure too.
int nng_error(const Error& e) {
  switch (e.kind) {
    case Error::Kind::tls_alert:
      if (certificate_alert(e.alert)) return NNG_EPEERAUTH;
      if (e.alert == AlertDescription::handshake_failure && e.alert_sent && e.state == "certify") return NNG_EPEERAUTH;
      return NNG_ECRYPTO;
    case Error::Kind::closed: return NNG_ECONNSHUT;
    case Error::Kind::timeout: return NNG_ETIMEDOUT;
    case Error::Kind::options: return NNG_EINVAL;
    case Error::Kind::transport: return NNG_ECONNRESET;
    case Error::Kind::other: return NNG_ECRYPTO;
  }
  return NNG_ECRYPTO;
}

// Hands pending records to the transport: 0 when all are taken, NNG_EAGAIN when its buffer is full
// (the rest stays pending), or the transport's error.
int flush(EngineConn& c) {
  for (;;) {
    const auto out = c.tls.pending_output();
    if (out.empty()) return 0;
    size_t n = out.size();
    if (int rv = nng_tls_engine_send(c.transport, out.data(), &n); rv != 0) return rv;
    if (n == 0) return NNG_EAGAIN;
    c.tls.consume_output(std::min(n, out.size()));
  }
}

// Feeds one read of the transport: 0, NNG_EAGAIN (a receive is under way) or the transport's error.
int pull(EngineConn& c) {
  size_t n = c.in.size();
  if (int rv = nng_tls_engine_recv(c.transport, c.in.data(), &n); rv != 0) return rv;
  c.tls.feed(std::span<const uint8_t>(c.in.data(), std::min(n, c.in.size())));
  return 0;
}

// The connection's end, once what is pending went out: its fatal error, or the peer's close_notify.
int ended(const EngineConn& c) {
  if (c.tls.error()) return nng_error(*c.tls.error());
  if (c.tls.peer_closed()) return NNG_ECONNSHUT;
  return 0;
}

// 0 once the handshake is done and its last flight handed to the transport.
int handshake(EngineConn& c) {
  for (;;) {
    const int out = flush(c);
    if (out != 0 && out != NNG_EAGAIN) return out;
    if (int end = ended(c)) return out == NNG_EAGAIN ? out : end;  // the alert goes out first
    if (c.tls.handshake_done() || out == NNG_EAGAIN) return out;
    if (int rv = pull(c); rv != 0) return rv;
  }
}

int conn_recv(EngineConn& c, uint8_t* buf, size_t* szp) {
  if (!c.tls.handshake_done())
    if (int rv = handshake(c); rv != 0) return rv;
  for (;;) {
    const auto data = c.tls.app_data();
    if (!data.empty()) {
      const size_t n = std::min(*szp, data.size());
      std::memcpy(buf, data.data(), n);
      c.tls.consume_app_data(n);
      *szp = n;
      (void)flush(c);  // what the peer's records asked for (a renegotiation): now, or at the next op
      return 0;
    }
    const int out = flush(c);
    if (out != 0 && out != NNG_EAGAIN) return out;
    if (int end = ended(c)) return out == NNG_EAGAIN ? out : end;
    if (int rv = pull(c); rv != 0) return rv;
  }
}

// Records of one call that the transport could not take at once keep that call open (NNG_EAGAIN): NNG
// repeats it with the same buffer when the transport has room, and it completes once they are all
// handed over. So data is reported sent only when it is in the transport's hands.
int conn_send(EngineConn& c, const uint8_t* buf, size_t* szp) {
  if (!c.tls.handshake_done())
    if (int rv = handshake(c); rv != 0) return rv;
  if (c.sending_len > 0) {
    if (int rv = flush(c); rv != 0) return rv;
    const bool same = c.sending == buf && c.sending_len <= *szp;
    const size_t n = c.sending_len;
    c.sending = nullptr;
    c.sending_len = 0;
    if (same) {
      *szp = n;
      return 0;
    }
    // Another buffer: that call was given up (its records went out all the same); this one starts anew.
  }
  if (int rv = flush(c); rv != 0) return rv;
  if (int end = ended(c)) return end;
  const size_t n = std::min(*szp, max_send);
  if (auto r = c.tls.send(std::span<const uint8_t>(buf, n)); !r)
    return r.error().kind == Error::Kind::closed ? NNG_ECLOSED : nng_error(r.error());
  const int rv = flush(c);
  if (rv == NNG_EAGAIN) {
    c.sending = buf;
    c.sending_len = n;
    return NNG_EAGAIN;
  }
  if (rv != 0) return rv;
  *szp = n;
  return 0;
}

// The CERTIFICATE blocks of a PEM text, as DER.
Result<std::vector<Bytes>, std::string> pem_certificates(const char* pem) {
  const std::string_view text(pem);
  return crypto::split_pem_or_der(crypto::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                                  "CERTIFICATE", "certificate");
}

// C++ exceptions (allocation failures) stop here: NNG is C.
template <class F>
int guarded(F f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return NNG_ENOMEM;
  } catch (...) {
    return NNG_EINTERNAL;
  }
}

}  // namespace essl::nng::detail

// NNG allocates these zeroed and hands them to the ops: a null impl is a config or connection that
// was never (or not successfully) initialized.
struct nng_tls_engine_config {
  essl::nng::detail::EngineConfig* impl;
};
struct nng_tls_engine_conn {
  essl::nng::detail::EngineConn* impl;
};

namespace essl::nng {
namespace {

using detail::guarded;

// ---- config ops: each call replaces the setting and drops a TlsConfig made before ----

int config_init(nng_tls_engine_config* cfg, nng_tls_mode mode) {
  return guarded([&] {
    cfg->impl = new detail::EngineConfig;
    cfg->impl->server = mode == NNG_TLS_MODE_SERVER;
    // NNG's defaults: a client verifies the server, a server does not ask for a client certificate.
    cfg->impl->auth = cfg->impl->server ? NNG_TLS_AUTH_MODE_NONE : NNG_TLS_AUTH_MODE_REQUIRED;
    return 0;
  });
}

void config_fini(nng_tls_engine_config* cfg) {
  delete cfg->impl;
  cfg->impl = nullptr;
}

// Runs a setter on the config, under its lock, and forgets the TlsConfig made from the old settings.
template <class F>
int set(nng_tls_engine_config* cfg, F f) {
  if (cfg->impl == nullptr) return NNG_EINVAL;
  return guarded([&] {
    std::lock_guard lock(cfg->impl->mu);
    const int rv = f(*cfg->impl);
    if (rv == 0) cfg->impl->made.reset();
    return rv;
  });
}

int config_server(nng_tls_engine_config* cfg, const char* name) {
  return set(cfg, [&](detail::EngineConfig& c) {
    c.server_name = name ? name : "";
    return 0;
  });
}

int config_auth(nng_tls_engine_config* cfg, nng_tls_auth_mode mode) {
  return set(cfg, [&](detail::EngineConfig& c) {
    if (mode != NNG_TLS_AUTH_MODE_NONE && mode != NNG_TLS_AUTH_MODE_OPTIONAL && mode != NNG_TLS_AUTH_MODE_REQUIRED)
      return int(NNG_EINVAL);
    c.auth = mode;
    return 0;
  });
}

int config_ca_chain(nng_tls_engine_config* cfg, const char* certs, const char* crl) {
  return set(cfg, [&](detail::EngineConfig& c) {
    if (certs == nullptr) return int(NNG_EINVAL);
    auto ders = detail::pem_certificates(certs);
    if (!ders) return int(NNG_EINVAL);
    std::shared_ptr<detail::ConfigCrls> crls;
    if (crl != nullptr) {
      const std::string_view text(crl);
      auto parsed = crypto::parse_crls(codec::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
      if (!parsed) return int(NNG_EINVAL);
      crls = std::make_shared<detail::ConfigCrls>(std::move(parsed).value());
    }
    c.cacerts = std::move(ders).value();
    c.crls = std::move(crls);
    return 0;
  });
}

int config_own_cert(nng_tls_engine_config* cfg, const char* cert, const char* key, const char* pass) {
  return set(cfg, [&](detail::EngineConfig& c) {
    if (cert == nullptr || key == nullptr) return int(NNG_EINVAL);
    auto chain = detail::pem_certificates(cert);
    if (!chain) return int(NNG_EINVAL);
    // Any PEM key (PKCS#8, encrypted PKCS#8, the traditional blocks), passed on as PKCS#8.
    const std::string_view text(key);
    auto k = crypto::load_private_key(crypto::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                                      pass ? pass : "");
    if (!k) return int(k.error().reason == crypto::KeyError::Reason::unsupported ? NNG_ENOTSUP : NNG_EINVAL);
    c.cert.clear();
    for (const auto& der : chain.value()) c.cert.insert(c.cert.end(), der.begin(), der.end());
    c.key = PrivateKeyDer{PrivateKeyDer::Type::PrivateKeyInfo, k.value().pkcs8()};
    return 0;
  });
}

int config_version(nng_tls_engine_config* cfg, nng_tls_version min_ver, nng_tls_version max_ver) {
  return set(cfg, [&](detail::EngineConfig& c) {
    if (min_ver > max_ver || min_ver < NNG_TLS_1_0 || max_ver > NNG_TLS_1_3) return int(NNG_ENOTSUP);
    if (min_ver > NNG_TLS_1_2) return int(NNG_ENOTSUP);  // TLS 1.3 only
    std::vector<Version> versions;
    for (int v = std::min<int>(max_ver, NNG_TLS_1_2); v >= min_ver; --v) versions.push_back(Version(v));
    c.versions = std::move(versions);
    return 0;
  });
}

// ---- conn ops ----

int conn_init(nng_tls_engine_conn* conn, void* transport, nng_tls_engine_config* cfg) {
  if (cfg->impl == nullptr) return NNG_EINVAL;
  return guarded([&] {
    auto made = cfg->impl->tls_config();
    if (!made) return detail::nng_error(made.error());
    bool verify;
    {
      std::lock_guard lock(cfg->impl->mu);
      verify = cfg->impl->auth != NNG_TLS_AUTH_MODE_NONE;
    }
    conn->impl = new detail::EngineConn(transport, made.value(), verify);
    conn->impl->tls.start();  // a client's ClientHello waits in pending_output for the first op
    return 0;
  });
}

void conn_fini(nng_tls_engine_conn* conn) {
  delete conn->impl;
  conn->impl = nullptr;
}

// Queues close_notify and hands it to the transport if it has room (NNG closes the TCP connection
// right after).
void conn_close(nng_tls_engine_conn* conn) {
  if (conn->impl == nullptr) return;
  (void)guarded([&] {
    detail::EngineConn& c = *conn->impl;
    if (c.tls.handshake_done() && !c.tls.error()) {
      c.tls.close();
      (void)detail::flush(c);
    }
    return 0;
  });
}

int conn_handshake(nng_tls_engine_conn* conn) {
  if (conn->impl == nullptr) return NNG_ECLOSED;
  return guarded([&] { return detail::handshake(*conn->impl); });
}

int conn_recv(nng_tls_engine_conn* conn, uint8_t* buf, size_t* szp) {
  if (conn->impl == nullptr) return NNG_ECLOSED;
  return guarded([&] { return detail::conn_recv(*conn->impl, buf, szp); });
}

int conn_send(nng_tls_engine_conn* conn, const uint8_t* buf, size_t* szp) {
  if (conn->impl == nullptr) return NNG_ECLOSED;
  return guarded([&] { return detail::conn_send(*conn->impl, buf, szp); });
}

// True when the handshake verified a certificate the peer presented.
bool conn_verified(nng_tls_engine_conn* conn) {
  if (conn->impl == nullptr) return false;
  const detail::EngineConn& c = *conn->impl;
  try {
    return c.verify_peer && c.tls.handshake_done() && !c.tls.error() && !c.tls.peer_certificates().empty();
  } catch (...) {
    return false;
  }
}

nng_tls_engine_config_ops config_ops = {
    .size = sizeof(nng_tls_engine_config),
    .init = config_init,
    .fini = config_fini,
    .server = config_server,
    .auth = config_auth,
    .ca_chain = config_ca_chain,
    .own_cert = config_own_cert,
    .version = config_version,
};

nng_tls_engine_conn_ops conn_ops = {
    .size = sizeof(nng_tls_engine_conn),
    .init = conn_init,
    .fini = conn_fini,
    .close = conn_close,
    .handshake = conn_handshake,
    .recv = conn_recv,
    .send = conn_send,
    .verified = conn_verified,
};

const nng_tls_engine engine = {
    .version = NNG_TLS_ENGINE_VERSION,
    .config_ops = &config_ops,
    .conn_ops = &conn_ops,
    .name = "essl",
    .description = "essl TLS 1.0-1.2",
    .fips_mode = false,
};

}  // namespace

Result<void, Error> register_engine() {
  (void)nng_tls_engine_name();  // initializes NNG, which registers its built-in engine
  if (int rv = nng_tls_engine_register(&engine); rv != 0)
    return fail(Error::other(std::string("nng_tls_engine_register: ") + nng_strerror(rv)));
  return {};
}

}  // namespace essl::nng

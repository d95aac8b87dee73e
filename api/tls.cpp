// Tls and TlsConfig: the engine behind a public, I/O-free interface.
#include "essl/tls.hpp"

#include "api/app.hpp"
#include "statemachine/engine.hpp"

namespace essl {
namespace {

Res<std::shared_ptr<const Config>> config_for(Role role, const Options& options) {
  auto store = detail::session_store(role);
  if (!store) return fail(store.error());
  return detail::make_config(role, options, std::move(store).value());
}

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "essl"; }
  std::string message(int v) const override {
    if (v >= static_cast<int>(tls_errc::alert_received) && v < static_cast<int>(tls_errc::alert_received) + 256)
      return "TLS alert received: " +
             std::string(alert_text(static_cast<AlertDescription>(v - static_cast<int>(tls_errc::alert_received))));
    if (v >= static_cast<int>(tls_errc::alert_sent) && v < static_cast<int>(tls_errc::alert_sent) + 256)
      return "TLS alert sent: " +
             std::string(alert_text(static_cast<AlertDescription>(v - static_cast<int>(tls_errc::alert_sent))));
    switch (static_cast<tls_errc>(v)) {
      case tls_errc::stream_truncated: return "the transport ended without close_notify";
      case tls_errc::closed: return "closed";
      case tls_errc::timeout: return "timeout";
      case tls_errc::options: return "options error";
      case tls_errc::transport: return "transport error";
      case tls_errc::other: return "TLS error";
      default: return "unknown essl error";
    }
  }
};

}  // namespace

const std::error_category& tls_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(tls_errc e) { return {static_cast<int>(e), tls_category()}; }

std::error_code make_error_code(const Error& e) {
  switch (e.kind) {
    case Error::Kind::tls_alert:
      return {static_cast<int>(e.alert_sent ? tls_errc::alert_sent : tls_errc::alert_received) +
                  static_cast<int>(e.alert),
              tls_category()};
    case Error::Kind::closed: return make_error_code(tls_errc::closed);
    case Error::Kind::timeout: return make_error_code(tls_errc::timeout);
    case Error::Kind::options: return make_error_code(tls_errc::options);
    case Error::Kind::transport: return make_error_code(tls_errc::transport);
    case Error::Kind::other: break;
  }
  return make_error_code(tls_errc::other);
}

Res<TlsConfig> TlsConfig::client(const Options& options) {
  auto c = config_for(Role::client, options);
  if (!c) return fail(c.error());
  return TlsConfig(std::move(c).value());
}

Res<TlsConfig> TlsConfig::server(const Options& options) {
  auto c = config_for(Role::server, options);
  if (!c) return fail(c.error());
  return TlsConfig(std::move(c).value());
}

bool TlsConfig::is_server() const { return config_->role == Role::server; }

Tls::Tls(const TlsConfig& config, std::string host, uint16_t port, uint16_t local_port)
    : engine_(std::make_unique<Engine>(config.config_, PeerId{std::move(host), port, local_port})),
      server_(config.is_server()) {}
Tls::~Tls() = default;
Tls::Tls(Tls&&) noexcept = default;
Tls& Tls::operator=(Tls&&) noexcept = default;

void Tls::start() {
  if (started_) return;
  started_ = true;
  engine_->start();
}

void Tls::feed(std::span<const uint8_t> bytes) {
  start();  // a server may be fed before start(): the ClientHello is what starts it
  engine_->feed(bytes);
}
void Tls::end_of_input() { engine_->end_of_input(); }

std::span<const uint8_t> Tls::pending_output() const { return engine_->pending_output(); }
void Tls::consume_output(size_t n) { engine_->consume_output(n); }
std::span<const uint8_t> Tls::app_data() const { return engine_->app_data(); }
void Tls::consume_app_data(size_t n) { engine_->consume_app_data(n); }

Result<void, Error> Tls::send(std::span<const uint8_t> data) { return engine_->send(data); }
Result<void, Error> Tls::send(std::string_view data) {
  return send(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}
void Tls::close() { engine_->close(); }
void Tls::answer_close_notify(bool answer) { engine_->answer_close_notify(answer); }
Result<void, Error> Tls::renegotiate() { return engine_->renegotiate(); }

bool Tls::is_server() const { return server_; }
bool Tls::handshake_done() const { return engine_->handshake_done(); }
bool Tls::peer_closed() const { return engine_->peer_closed(); }
const std::optional<Error>& Tls::error() const { return engine_->error(); }

Res<ConnectionInfo> Tls::connection_information() const {
  if (!engine_->handshake_done()) return fail(Error::closed());
  return engine_->info();
}
std::optional<std::string> Tls::negotiated_protocol() const { return engine_->negotiated_protocol(); }
std::vector<std::vector<uint8_t>> Tls::peer_certificates() const {
  const auto& certs = engine_->peer_certificates();
  return {certs.begin(), certs.end()};
}
void Tls::hibernate() { engine_->hibernate(); }

}  // namespace essl

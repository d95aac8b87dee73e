// One TLS connection with no I/O: bytes from the peer in, bytes for the peer and decrypted data out.
// No descriptors, threads or timers; the caller moves the bytes (an asio stream, an NNG engine, a
// test harness, a custom event loop). The blocking Socket API and EventServer drive the same engine.
//
//   auto cfg = essl::TlsConfig::client(options);        // options checked as connect() checks them
//   essl::Tls tls(*cfg, "example.com", 443);           // the peer: SNI default and session cache key
//   tls.start();                                       // queues the ClientHello
//   loop:  write(tls.pending_output()), tls.consume_output(n);
//          tls.feed(bytes read);  ... tls.end_of_input() at the transport's end
//          use tls.app_data(), tls.consume_app_data(n); tls.send(data) once handshake_done()
//   stop when tls.error() is set (a fatal alert was queued or received: write what is pending first).
//
// A Tls object is not thread-safe; TlsConfig is, and one TlsConfig serves any number of connections
// (they share its session cache, so a second client connection to the same host and port resumes).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "essl/connection_info.hpp"
#include "essl/error.hpp"
#include "essl/options.hpp"

namespace essl {

class Engine;
struct Config;

// essl errors as std::error_code, for adapters whose interfaces speak error_code (asio). The full
// essl::Error stays available from Tls::error().
enum class tls_errc {
  stream_truncated = 1,  // the transport ended without close_notify
  closed = 2,            // `closed`: the connection was closed (a send after close)
  timeout = 3,
  options = 4,
  transport = 5,
  other = 6,
  alert_sent = 0x100,      // + the alert description: we sent this fatal alert
  alert_received = 0x200,  // + the alert description: the peer sent it
};
const std::error_category& tls_category();
std::error_code make_error_code(tls_errc e);
// tls_alert: alert_sent/alert_received + description; the other kinds: their tls_errc.
std::error_code make_error_code(const Error& e);

class TlsConfig {
 public:
  // The options as connect() (client) or listen() (server) take them: an options error names the bad
  // one. The role's session cache is the application's (start() opens it on first use).
  static Res<TlsConfig> client(const Options& options);
  static Res<TlsConfig> server(const Options& options);
  bool is_server() const;

 private:
  friend class Tls;
  explicit TlsConfig(std::shared_ptr<const Config> c) : config_(std::move(c)) {}
  std::shared_ptr<const Config> config_;
};

class Tls {
 public:
  // host, port: client, the server connected to (the default server_name_indication, and the session
  // cache key); server, the peer's address (for log lines), local_port the listen port (the session
  // cache's partial key) when several servers share one cache.
  explicit Tls(const TlsConfig& config, std::string host = {}, uint16_t port = 0, uint16_t local_port = 0);
  ~Tls();
  Tls(Tls&&) noexcept;
  Tls& operator=(Tls&&) noexcept;

  // Client: queues the ClientHello. Server: nothing to send until the ClientHello arrives. Once.
  void start();
  // Every byte is consumed; a partial record waits for the rest.
  void feed(std::span<const uint8_t> bytes);
  // The transport ended. Before the peer's close_notify this is a truncation: error() becomes `closed`.
  void end_of_input();

  // Records to write to the transport, in order.
  std::span<const uint8_t> pending_output() const;
  void consume_output(size_t n);
  // Decrypted application data, in order.
  std::span<const uint8_t> app_data() const;
  void consume_app_data(size_t n);

  // Queues application data as records: `closed` after close() or the peer's close_notify has been
  // answered, an error before the handshake completes (check handshake_done()).
  Result<void, Error> send(std::span<const uint8_t> data);
  Result<void, Error> send(std::string_view data);
  // Queues close_notify; later send() fails with `closed`.
  void close();
  // true (the default): the peer's close_notify is answered at once. false: a half close (the spec's
  // {exit_on_close, false}); send() goes on until close().
  void answer_close_notify(bool answer);
  // renegotiate/1 (client: a new ClientHello; server: HelloRequest); data keeps flowing meanwhile.
  Result<void, Error> renegotiate();

  bool is_server() const;
  bool handshake_done() const;  // the first handshake completed
  bool peer_closed() const;     // the peer's close_notify arrived
  // The connection's fatal error: a fatal alert sent (alert_sent) or received, `closed` for a truncation.
  const std::optional<Error>& error() const;

  // connection_information/1; `closed` before the first handshake completes.
  Res<ConnectionInfo> connection_information() const;
  // The protocol agreed by ALPN or NPN.
  std::optional<std::string> negotiated_protocol() const;
  // The peer's certificate chain, leaf first, DER; empty if it sent none.
  std::vector<std::vector<uint8_t>> peer_certificates() const;
  // hibernate_after's work, for a caller that keeps its own timers: gives back the memory of the
  // buffers that hold nothing (nothing pending is lost).
  void hibernate();

 private:
  std::unique_ptr<Engine> engine_;
  bool server_ = false;
  bool started_ = false;
};

}  // namespace essl

template <>
struct std::is_error_code_enum<essl::tls_errc> : std::true_type {};

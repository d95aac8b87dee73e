// The ssl application's functions over blocking TCP sockets: listen, transport_accept, handshake
// (ssl_accept), connect, send, recv, close, shutdown, peername, sockname, peercert,
// connection_information, connection_info, prf, versions, cipher_suites, format_error, the application
// environment (set_app_config, load_app_config) and the alert logger (essl/logger.hpp).
//
//   auto ls = essl::listen(8443, server_opts);
//   auto s = ls->transport_accept();
//   if (auto r = essl::handshake(*s, std::chrono::seconds(5)); !r) ... format_error(r.error())
//   auto data = s->recv(0);            // whatever is available
//   s->send("reply");
//   s->close();
//
// Timeouts: every `Timeout` is a std::optional duration in milliseconds; `essl::infinity` (std::nullopt)
// waits for ever, a zero or negative duration does not wait at all (only what is already there counts).
// A timeout returns Error::timeout() and leaves the connection usable (during a handshake the connection
// is closed, as the spec's ssl_accept/connect do).
//
// Errors: `closed` when the peer closed, `timeout`, `{tls_alert, ...}` from the engine as it reported it
// (after we send a fatal alert the socket waits up to `alert_timeout` for the peer to close),
// `{options, ...}` naming the bad option, `transport` with the errno text.
//
// Delivery: a socket is active by default (the spec's {active, true}): what arrives goes to its owner as
// events (essl/owner.hpp), and recv() is for passive sockets ({active, false}; SocketOptions, setopts).
// The owner is the mailbox of the thread that made the socket (essl::self()) until controlling_process.
//
// Sockets are movable, not copyable, and close (close_notify, then the TCP close) on destruction.
// Threads: every function may be called from any thread, also while another is blocked in recv() on the
// same socket (a sender thread beside the owner); they are serialised, except that reading the
// transport does not hold back send() and the queries. close() from another thread ends a recv() under
// way with `closed`.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "essl/connection_info.hpp"
#include "essl/error.hpp"
#include "essl/options.hpp"
#include "essl/session_cache.hpp"
#include "essl/suites.hpp"
#include "essl/transport.hpp"

namespace essl {

class ListenSocket;

class Socket {
 public:
  Socket();
  ~Socket();
  Socket(Socket&&) noexcept;
  Socket& operator=(Socket&&) noexcept;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // True until close() (or a move); a socket whose peer closed stays open until closed here.
  bool is_open() const;

  // Writes all of `data` (as TLS records, one send per call). {error, closed} when the socket is closed.
  Result<void, Error> send(std::span<const uint8_t> data);
  Result<void, Error> send(std::string_view data);

  // Passive receive. length 0: whatever is available (waiting for at least one byte); length N: exactly N
  // bytes, or an error (bytes short of N are discarded when the peer closes, as the spec says). With
  // {packet, 1|2|4|line} one whole packet, whatever `length`. {error, einval} on an active socket.
  Res<Data> recv(size_t length, Timeout timeout = infinity);

  // The spec's socket options: active, mode, packet, header, packet_size, exit_on_close, nodelay. Setting
  // {active, true|once|N} delivers what is already received at once. {active, N} adds N to the counter.
  Result<void, Error> setopts(const SocketOpts& options);
  Res<SocketOpts> getopts() const;

  // Hands the socket to a new owner: events go there from now on. Only the owner may do it (the thread
  // whose mailbox owns it, or the thread that made the handler owner); else {error, not_owner}.
  Result<void, Error> controlling_process(Owner new_owner);
  Owner owner() const;
  // What events name the socket by.
  SocketId id() const;

  // Starts a new handshake (client: ClientHello; server: HelloRequest) and waits for it to complete.
  // Data keeps flowing meanwhile (what arrives is kept for recv). Error::other("renegotiation_rejected")
  // when the peer refuses (a warning no_renegotiation), the connection staying usable under its keys;
  // Error::other("already_renegotiating") while one is under way; a fatal alert ends the connection.
  Result<void, Error> renegotiate(Timeout timeout = infinity);

  // Sends close_notify after everything send() accepted, then closes the transport without blocking: the
  // descriptor is kept in the background until the peer closes too (at most alert_timeout), so that no
  // TCP reset can destroy data still in flight.
  Result<void, Error> close();

  // The downgrade (the spec's close(SslSocket, {NewController, Timeout})): sends close_notify, waits up to
  // `timeout` for the peer's, and hands the plain transport to `new_controller` with {active, false},
  // {packet, 0}, {mode, binary}. Bytes the peer sent after its close_notify are the transport's first.
  // Errors (the socket is closed then): `timeout` when the peer's close_notify does not come in time,
  // `closed` when the transport ended first, a fatal alert, or the socket's error.
  Res<std::unique_ptr<Transport>> close(Owner new_controller, Timeout timeout);

  // write: close_notify and the transport's write shutdown, reading still possible (the peer's remaining
  // data); read: no more reading; read_write: both.
  Result<void, Error> shutdown(ShutdownHow how);

  Res<Address> peername() const;
  Res<Address> sockname() const;
  // The peer's certificate, DER; {error, no_peercert} when it sent none.
  Res<std::vector<uint8_t>> peercert() const;
  Res<ConnectionInfo> connection_information() const;
  // connection_information/2: the requested items that are defined, in the order asked ({ok, []} when
  // none is); all_info_items asks for everything. Options are reported as this connection uses them.
  Res<InfoList> connection_information(std::span<const InfoItem> items) const;
  // The earlier releases' connection_info/1: {ok, {ProtocolVersion, CipherSuite}}.
  Res<std::pair<Version, SuiteSpec>> connection_info() const;
  // prf/5: `wanted_length` bytes of the connection's PRF (RFC 5246 5; P_MD5 xor P_SHA1 below TLS 1.2)
  // over `secret` (master_secret: the session's), `label` and the concatenated `seed` parts (the randoms
  // of the handshake that made the current keys). Error::other("undefined") on an SSL 3.0 connection.
  Res<std::vector<uint8_t>> prf(const PrfSecret& secret, std::string_view label, const std::vector<PrfSeed>& seed,
                                size_t wanted_length) const;
  // The protocol agreed through ALPN or NPN; Error::other("protocol_not_negotiated") when there is none.
  Res<std::string> negotiated_protocol() const;

  // The transport's descriptor (-1 when it has none), for poll(); readable data may also sit decrypted inside the socket already, so
  // call recv(0, 0ms) after a wake-up and before waiting again.
  int native_handle() const;

  // The library's own view of the socket (Impl is defined inside the library only).
  struct Impl;
  explicit Socket(std::shared_ptr<Impl> impl);
  Impl* impl() const { return impl_.get(); }

 private:
  std::shared_ptr<Impl> impl_;  // shared with the reader thread of an active socket while it runs
};

class ListenSocket {
 public:
  ListenSocket();
  ~ListenSocket();
  ListenSocket(ListenSocket&&) noexcept;
  ListenSocket& operator=(ListenSocket&&) noexcept;
  ListenSocket(const ListenSocket&) = delete;
  ListenSocket& operator=(const ListenSocket&) = delete;

  // Accepts one TCP connection; the result inherits the listen options (SSL and socket options) and is only
  // good for handshake(). Its owner is the calling thread's mailbox.
  Res<Socket> transport_accept(Timeout timeout = infinity);
  Res<Address> sockname() const;
  uint16_t port() const;  // the bound port (useful after listen(0, ...))
  void close();
  int native_handle() const;

  struct Impl;
  explicit ListenSocket(std::unique_ptr<Impl> impl);

 private:
  std::unique_ptr<Impl> impl_;
};

// The application: start() opens the session caches, calling the session cache callback's init once with
// role client and once with role server (connect() and listen() start them when start() was not called);
// an init error is start()'s error. stop() calls terminate on both; sockets made before keep working
// without resumption, and the next start() opens the caches again with the configuration then in force.
Result<void, Error> start();
void stop();

// The application environment (the spec's application configuration parameters), one field per setting;
// an empty field means the setting's default. Set it before start() or at any time: later connections
// see the new values.
struct AppConfig {
  // ssl_pem_cache_clean: milliseconds between validations of the PEM cache (default 120000). Credential
  // files are read once and served from the cache; a file is compared with its cached version (size,
  // modification time, inode) at most once per interval and read again when it changed.
  std::optional<std::chrono::milliseconds> ssl_pem_cache_clean;
  // protocol_version: the versions of connections whose options give no `versions` (default: TLS 1.2,
  // 1.1 and 1.0; SSL 3.0 only when listed). The `versions` option overrides it.
  std::optional<std::vector<Version>> protocol_version;

  // Sessions (essl/session_cache.hpp), read by start(). session_cb: the cache callback object (default: an
  // essl::MemorySessionCache); session_cb_init_args: the extra {Name, Value} arguments of its init.
  std::shared_ptr<SessionCacheCallback> session_cb;
  SessionCacheInitArgs session_cb_init_args;
  // session_lifetime: how long a session may be resumed after it was made (default 86400 s).
  std::optional<std::chrono::seconds> session_lifetime;
  // session_cache_client_max / session_cache_server_max: when a role's cache holds this many sessions,
  // they are all invalidated, whatever their remaining lifetime, before the next is stored (default 1000).
  std::optional<int64_t> session_cache_client_max;
  std::optional<int64_t> session_cache_server_max;
  // alert_timeout: milliseconds between sending a fatal alert and closing the connection, for connections
  // whose options give no alert_timeout (default 5000).
  std::optional<std::chrono::milliseconds> alert_timeout;
};
// Replaces the whole configuration; a bad value is {options, {Name, Value}} and changes nothing.
Result<void, Error> set_app_config(const AppConfig& config);
AppConfig app_config();

// The configuration from outside the program, over what set_app_config gave: the file named by the
// environment variable ESSL_CONFIG, then the variables ESSL_<NAME> (ESSL_SESSION_LIFETIME=600 ...), which
// win over the file. The file holds one `name = value` per line, named as the spec's parameters; `#`
// starts a comment. Values: ssl_pem_cache_clean, session_lifetime, session_cache_client_max,
// session_cache_server_max, alert_timeout: integers; protocol_version: versions separated by commas or
// spaces ("tlsv1.2, tlsv1.1"); session_cb_init_args: `name=value` pairs separated by commas (strings).
// Variables ESSL_<NAME> for other names are not the configuration's and are ignored. A bad value, an
// unknown name in the file or an unreadable file is {options, {Name, Value}} and changes nothing.
// start() calls it once (before the caches open); later calls read the environment again.
Result<void, Error> load_app_config();
// The same from a given file and environment (a list of "NAME=value" strings, as environ holds them).
Result<void, Error> load_app_config(const std::string& file, const std::vector<std::string>& environment);

// Empties the PEM cache unconditionally: the next use of every credential file reads it again.
Result<void, Error> clear_pem_cache();

// Port 0 binds a free port.
Res<ListenSocket> listen(uint16_t port, const Options& options, const SocketOptions& sock = {});

// The server-side handshake on a socket from transport_accept (the spec's ssl_accept). The second form
// replaces the listen options for this connection (sessions are still shared with the listen socket).
Result<void, Error> handshake(Socket& socket, Timeout timeout = infinity);
Result<void, Error> handshake(Socket& socket, const Options& options, Timeout timeout = infinity);
inline Result<void, Error> ssl_accept(Socket& socket, Timeout timeout = infinity) {
  return handshake(socket, timeout);
}

// A host name or an IPv4/IPv6 literal; tries each resolved address until one connects. With
// options.cb_info.module set, that module makes the connection instead of TCP.
Res<Socket> connect(const std::string& host, uint16_t port, const Options& options, Timeout timeout = infinity,
                    const SocketOptions& sock = {});

// The upgrade, client side (the spec's connect(Socket, Options, Timeout)): TLS over an already connected
// plain transport, which the Socket owns from now on (nobody else can read it meanwhile). Sessions are
// keyed by the transport's peername, and without server_name_indication the server's certificate is
// checked against the peername's address: over a Unix-domain socket or a pipe, name the server there.
// The socket options not given in `sock` are the transport's (a plain transport is {active, false},
// {packet, 0}, {mode, binary}), as the upgraded socket keeps the plain socket's options in the spec.
Res<Socket> connect(std::unique_ptr<Transport> transport, const Options& options, Timeout timeout = infinity,
                    const SocketOpts& sock = {});

// The upgrade, server side (the spec's ssl_accept(Socket, Options, Timeout) on a gen_tcp socket): the
// server handshake over an accepted plain transport. Server sessions are keyed by its sockname port.
Res<Socket> handshake(std::unique_ptr<Transport> transport, const Options& options, Timeout timeout = infinity,
                      const SocketOpts& sock = {});
inline Res<Socket> ssl_accept(std::unique_ptr<Transport> transport, const Options& options,
                              Timeout timeout = infinity, const SocketOpts& sock = {}) {
  return handshake(std::move(transport), options, timeout, sock);
}

struct VersionsInfo {
  std::string app_vsn;             // the library version
  std::vector<Version> supported;  // enabled by default (protocol_version when set), highest first
  std::vector<Version> available;  // everything the library implements, SSL 3.0 included
};
VersionsInfo versions();

}  // namespace essl

// Transports: the reliable byte streams TLS runs over, the spec's cb_info callback module.
//
// A Transport is the C++ shape of the spec's callback module (gen_tcp and inet): send, recv with a length
// and a timeout, close, shutdown, controlling_process, setopts/getopts of the plain socket, peername and
// sockname. A Socket owns its Transport; nobody else can read it while TLS runs over it.
//
//   auto ls = essl::tcp_listen(9999);                    // gen_tcp:listen
//   auto plain = (*ls)->accept();                        // gen_tcp:accept
//   auto tls = essl::handshake(std::move(*plain), opts); // ssl:ssl_accept(Socket, Options): the upgrade
//   auto back = tls->close(std::this_thread::get_id(), 5s);  // ssl:close(S, {Pid, Timeout}): the downgrade
//
// Provided: TCP (the default), Unix-domain stream sockets and an in-memory pipe pair. Any other reliable
// transport implements the interface and is given to connect()/handshake() directly, or to
// connect(host, port, ...) through Options::cb_info.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "essl/error.hpp"
#include "essl/owner.hpp"

namespace essl {

using Timeout = std::optional<std::chrono::milliseconds>;
inline constexpr std::nullopt_t infinity = std::nullopt;

// {active, true | false | once | N}.
class Active {
 public:
  enum class Kind { off, on, once, count };
  constexpr Active(bool on = true) : kind_(on ? Kind::on : Kind::off) {}  // NOLINT: {active, Bool}
  static constexpr Active once() { return Active(Kind::once, 0); }
  // {active, N}: N (-32768..32767) is added to the socket's counter; at 0 the socket turns passive and
  // its owner gets {ssl_passive, Socket}. getopts reports the counter left.
  static constexpr Active count(int n) { return Active(Kind::count, n); }
  constexpr Kind kind() const { return kind_; }
  constexpr int n() const { return n_; }
  constexpr bool operator==(const Active&) const = default;

 private:
  constexpr Active(Kind k, int n) : kind_(k), n_(n) {}
  Kind kind_;
  int n_ = 0;
};

// {packet, 0 | raw | 1 | 2 | 4 | line}: how the byte stream is cut into messages. raw: as it comes;
// 1, 2, 4: each message has a big-endian length header of that many bytes (send adds it, receive strips
// it); line: each message ends with a newline (receive only; send writes as given).
enum class Packet { raw = 0, one = 1, two = 2, four = 4, line = 5 };

// The spec's socket options of an SSL socket (ssl:setopts/getopts). In setopts an unset field stays as
// it is; getopts sets every field.
struct SocketOpts {
  std::optional<Active> active = std::nullopt;         // default true
  std::optional<Mode> mode = std::nullopt;             // default list
  std::optional<Packet> packet = std::nullopt;         // default raw
  std::optional<unsigned> header = std::nullopt;       // default 0; binary mode only
  std::optional<uint32_t> packet_size = std::nullopt;  // default 0 (no limit); longer: {error, emsgsize}
  // Default true: the peer's close_notify is answered at once. false: this end may still send after it
  // (a half close), until it closes.
  std::optional<bool> exit_on_close = std::nullopt;
  std::optional<bool> nodelay = std::nullopt;          // TCP_NODELAY (default true); others ignore it
};

// Transport options (the gen_tcp options the spec passes through) and the socket's own options
// (SocketOpts: unset fields take the spec's defaults, [{mode,list},{packet,0},{header,0},{active,true}]).
struct SocketOptions : SocketOpts {
  enum class Family { unspec, inet, inet6 };
  // listen: the address to bind (an IPv4 or IPv6 literal); empty = every address of `family`
  // (unspec and inet: 0.0.0.0; inet6: :: accepting IPv4-mapped peers too).
  // connect: the local address to bind before connecting; empty = chosen by the system.
  std::string ip;
  // connect: which address families a host name may resolve to (unspec: both, in resolver order).
  Family family = Family::unspec;
  bool reuseaddr = false;
  // listen: SO_REUSEPORT, so that several listen sockets (one per thread's event loop) share a port and
  // the kernel spreads the connections among them.
  bool reuseport = false;
  int backlog = 5;
};

// {active, false}, {mode, binary}: the options of a socket used with recv().
inline SocketOptions passive_binary() {
  SocketOptions o;
  o.active = false;
  o.mode = Mode::binary;
  return o;
}

// {Address, Port} as peername/sockname return it; `ip` is the numeric text ("127.0.0.1", "::1"), the
// path of a Unix-domain socket (port 0), or "pipe" for an in-memory pipe.
struct Address {
  std::string ip;
  uint16_t port = 0;
};

enum class ShutdownHow { read, write, read_write };

// The plain socket's options as inet:setopts/getopts know them, as far as they apply to every transport.
// Only passive mode ({active, false}) and {packet, 0} are supported; other values are {error, einval}.
// The mode (list by default, as gen_tcp's) is recorded and passed on to a TLS socket made over the transport.
struct TransportOptions {
  using Mode = essl::Mode;
  std::optional<bool> active;
  std::optional<int> packet;
  std::optional<Mode> mode;
  std::optional<bool> nodelay;  // TCP only; ignored elsewhere
};

// The callback module's connection: a reliable, ordered byte stream.
//
// Errors: `closed` when the peer closed (or this end did), `timeout`, `transport` with the reason for
// anything else. A Transport is used by one thread at a time (the in-memory pipe's two ends may be used
// by two threads).
class Transport {
 public:
  virtual ~Transport() = default;

  // Writes all of `data`.
  virtual Result<void, Error> send(std::span<const uint8_t> data) = 0;
  // length 0: whatever is available (waiting for at least one byte); N: exactly N bytes.
  virtual Res<std::vector<uint8_t>> recv(size_t length, Timeout timeout) = 0;
  // Closes both directions and releases the transport; later calls fail with `closed`.
  virtual Result<void, Error> close() = 0;
  virtual Result<void, Error> shutdown(ShutdownHow how) = 0;
  virtual Res<Address> peername() const = 0;
  virtual Res<Address> sockname() const = 0;

  // controlling_process: hands the transport to a new owner (the thread that created it owns it first).
  virtual Result<void, Error> controlling_process(Owner new_owner) {
    owner_ = new_owner;
    return {};
  }
  Owner owner() const { return owner_; }

  // inet:setopts/getopts. The default accepts the values every transport supports.
  virtual Result<void, Error> setopts(const TransportOptions& options);
  virtual Res<TransportOptions> getopts() const;

  // A descriptor to poll() for readability; -1 when there is none.
  virtual int native_handle() const { return -1; }

 protected:
  Owner owner_ = self();
  TransportOptions options_{false, 0, TransportOptions::Mode::list, std::nullopt};
};

// A listening transport: gen_tcp:listen's socket.
class TransportListener {
 public:
  virtual ~TransportListener() = default;
  virtual Res<std::unique_ptr<Transport>> accept(Timeout timeout = infinity) = 0;
  virtual Res<Address> sockname() const = 0;
  virtual void close() = 0;
  // The bound port (0 for a Unix-domain socket).
  uint16_t port() const {
    auto a = sockname();
    return a ? a->port : 0;
  }
};

// The callback module itself, for connect(host, port, options): opens a connection.
class TransportModule {
 public:
  virtual ~TransportModule() = default;
  virtual Res<std::unique_ptr<Transport>> connect(const std::string& host, uint16_t port, Timeout timeout) = 0;
};

// {cb_info, {CallbackModule, DataTag, ClosedTag, ErrorTag}}: the module (null: TCP, the spec's gen_tcp)
// and the tags of the data, closed and error events (active mode reports them).
struct CbInfo {
  std::shared_ptr<TransportModule> module;
  std::string data_tag = "tcp";
  std::string closed_tag = "tcp_closed";
  std::string error_tag = "tcp_error";
};

// TCP (gen_tcp): port 0 binds a free port. The connection has TCP_NODELAY set.
Res<std::unique_ptr<TransportListener>> tcp_listen(uint16_t port, const SocketOptions& sock = {});
Res<std::unique_ptr<Transport>> tcp_connect(const std::string& host, uint16_t port, Timeout timeout = infinity,
                                            const SocketOptions& sock = {});

// Unix-domain stream sockets at a file system path (an existing file at `path` is an error: eaddrinuse).
Res<std::unique_ptr<TransportListener>> unix_listen(const std::string& path, int backlog = 5);
Res<std::unique_ptr<Transport>> unix_connect(const std::string& path, Timeout timeout = infinity);

// Two connected in-memory ends: what one sends the other receives. Thread-safe; recv blocks (with its
// timeout) until data arrives or the other end shuts down its writing.
std::pair<std::unique_ptr<Transport>, std::unique_ptr<Transport>> pipe_pair();

}  // namespace essl

// Many connections in one thread: an epoll loop that owns non-blocking TCP descriptors and drives one
// TLS engine per connection, beside the blocking Socket API (essl/ssl.hpp).
//
//   essl::EventHandlers h;
//   h.on_data = [](essl::Connection& c, std::span<const uint8_t> d) { (void)c.send(d); };  // echo
//   auto server = essl::EventServer::listen(8443, tls_options, h);
//   server->run();                    // until stop(), from a handler or another thread
//
// One loop per EventServer or EventClient, run by the thread that calls run(). The handlers run on that
// thread, and Connection's functions may be called only from it (inside a handler). All connections of
// a server share one Config, made as listen() makes it: the same session cache, so resumption works
// across connections (and with the blocking API's listen sockets on the same port).
//
// Writes: each flight, and what the handlers send during one event, goes out in one send(2); a socket
// that takes less is written when it becomes writable (EPOLLOUT). Data send() accepted is written before
// the close_notify of close(). queued() says how much is still waiting, for the application's own
// backpressure; with EventOptions::read_pause_bytes set, the loop stops reading a connection that has
// more than that waiting until the peer has read enough.
//
// Closing: on_closed is called once for every connection, handshake finished or not, at the moment the
// connection stops being usable: std::nullopt for an orderly end (close_notify either way, or the peer's
// transport end after a complete record), else the error (a fatal alert sent or received, `timeout` for
// a handshake that did not finish within handshake_timeout, `closed` for a truncation, a transport error).
// The descriptor is kept after that while the peer reads what we sent: after our close_notify or a fatal
// alert we shut our writing half and wait at most alert_timeout for the peer to close, so that no TCP
// reset destroys the alert. Those descriptors count towards max_connections.
//
// Options::hibernate_after: a connection that has been open and idle that long (nothing read, written or
// sent), with nothing waiting to be written and no renegotiation under way, hibernates: its engine gives
// back the buffers that hold nothing (record input and output, application data), and the loop gives the
// freed pages back to the system. Its next event wakes it as it was; nothing is lost. The loop keeps
// its connections in the order of their last activity, so this costs O(1) per event.
// hibernated() counts the connections asleep now. Without hibernate_after too, a connection idle for 200
// ms gives back its empty buffers; a busy one keeps them, so that records cost no allocation.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "essl/connection_info.hpp"
#include "essl/error.hpp"
#include "essl/options.hpp"
#include "essl/transport.hpp"

namespace essl {

namespace detail {
class EventLoop;
struct EventConn;
}  // namespace detail

// One connection of an EventServer or EventClient, valid from on_open (or, for a connection whose
// handshake failed, on_closed) until on_closed returns.
class Connection {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Unique in its loop for the loop's lifetime (never reused).
  uint64_t id() const;
  // The peer's address (server: as accepted; client: the address connected to).
  const Address& peername() const;
  // Queues `data` as application data records; `closed` after close() or the end of the connection.
  Result<void, Error> send(std::span<const uint8_t> data);
  Result<void, Error> send(std::string_view data);
  // close_notify after everything queued, then the transport's close. on_closed follows (std::nullopt).
  void close();
  // Bytes accepted by send() (as records) and not yet written to the transport.
  size_t queued() const;
  bool is_open() const;
  Res<ConnectionInfo> connection_information() const;

 private:
  friend struct detail::EventConn;
  explicit Connection(detail::EventConn* c) : c_(c) {}
  detail::EventConn* c_;
};

struct EventHandlers {
  // The handshake completed.
  std::function<void(Connection&)> on_open;
  // Application data arrived (the span is valid during the call).
  std::function<void(Connection&, std::span<const uint8_t>)> on_data;
  // The connection ended (see above); called once for every connection.
  std::function<void(Connection&, const std::optional<Error>&)> on_closed;
};

struct EventOptions {
  // A connection whose handshake (TCP connect included, for a client) does not finish in this time is
  // closed, on_closed reporting `timeout`. 1 ms to 24 h.
  std::chrono::milliseconds handshake_timeout{30000};
  // Open descriptors at most (lingering ones included). A server at the limit stops accepting (the
  // backlog holds the next ones) until one closes; a client's connect() fails with a transport error.
  size_t max_connections = 4096;
  // When not 0: a connection with more than this many bytes waiting to be written is not read until
  // they drop below it (writes go on), so that what a peer that sends without reading (to an echo, say)
  // can make the loop hold is bounded. A peer that only reads once it has sent everything then waits for
  // ever, as over plain TCP; hence 0 (never paused) by default.
  size_t read_pause_bytes = 0;
  // Server: the address to bind (empty: 0.0.0.0; "::" for IPv6 and IPv4 both), SO_REUSEADDR, the listen
  // backlog (the kernel caps it at net.core.somaxconn).
  std::string ip;
  bool reuseaddr = true;
  // SO_REUSEPORT: several EventServers, each run by its own thread, listen on the same port and the
  // kernel spreads the connections among them (see `essl server --concurrent --threads N`). They share
  // the port's session cache, so a session made on one loop resumes on another.
  bool reuseport = false;
  int backlog = 4096;
};

// A TLS server for many connections in the calling thread.
class EventServer {
 public:
  // Options as listen() takes and checks them (an options error names the bad one); port 0 = any.
  static Res<EventServer> listen(uint16_t port, const Options& options, EventHandlers handlers,
                                 const EventOptions& event_options = {});
  EventServer(EventServer&&) noexcept;
  EventServer& operator=(EventServer&&) noexcept;
  ~EventServer();  // closes every connection that is still open, without callbacks

  uint16_t port() const;
  // Serves until stop(). A transport error of the loop itself (epoll) ends it with that error.
  Result<void, Error> run();
  // Any thread: run() returns after the current event. Connections stay; run() again goes on.
  void stop();
  // Open descriptors (lingering ones included); any thread.
  size_t connections() const;
  // Connections hibernated now (see hibernate_after above); any thread.
  size_t hibernated() const;

 private:
  explicit EventServer(std::unique_ptr<detail::EventLoop> loop);
  std::unique_ptr<detail::EventLoop> loop_;
};

// Many TLS client connections in the calling thread, with one client Config (one session cache: a second
// connection to the same host and port offers the first one's session).
class EventClient {
 public:
  static Res<EventClient> make(const Options& options, EventHandlers handlers, const EventOptions& event_options = {});
  EventClient(EventClient&&) noexcept;
  EventClient& operator=(EventClient&&) noexcept;
  ~EventClient();

  // Starts a non-blocking connect to a numeric address or a host name (resolved here, blocking); the
  // handshake follows in run(). Before run() or from a handler. Returns the connection's id; a failure
  // after this returns is reported by on_closed.
  Res<uint64_t> connect(const std::string& host, uint16_t port);
  Result<void, Error> run();
  void stop();
  size_t connections() const;
  size_t hibernated() const;

 private:
  explicit EventClient(std::unique_ptr<detail::EventLoop> loop);
  std::unique_ptr<detail::EventLoop> loop_;
};

}  // namespace essl

// What a Socket is inside: a transport, an Engine, the loop that moves bytes between them, and (in active
// mode) the reader thread that delivers events to the owner.
//
// Threads: every member is guarded by `mu`, except that one thread at a time (`reading`) reads the
// transport with `mu` released, so that send() and the queries go on meanwhile. A thread that wants to
// read while another does waits on `cv` for it. close() and shutdown(read) interrupt a reading thread
// (`interrupted`, and an eventfd a descriptor transport polls beside its own).
#pragma once
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api/deadline.hpp"
#include "essl/ssl.hpp"
#include "essl/transport.hpp"
#include "statemachine/config.hpp"
#include "statemachine/engine.hpp"

namespace essl {

// The spec's defaults: [{mode,list},{packet,0},{header,0},{active,true}], exit_on_close true, nodelay.
SocketOpts default_socket_opts();
// `given`'s set fields over `base`'s.
SocketOpts merge_socket_opts(const SocketOpts& base, const SocketOpts& given);
// {options, {socket_options, ...}} for a value out of range.
Result<void, Error> validate_socket_opts(const SocketOpts& o);

namespace detail {
// An upgraded socket's options: `given` over the plain transport's (active, packet, mode) over the defaults.
SocketOpts upgrade_socket_opts(const Transport& t, const SocketOpts& given);
}  // namespace detail

struct Socket::Impl : std::enable_shared_from_this<Socket::Impl> {
  Impl();
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  const SocketId id;
  std::mutex mu;
  std::condition_variable_any cv;  // waits on `mu` itself

  std::unique_ptr<Transport> transport;        // null once closed or handed back
  CbInfo cb_info;                              // the transport's tags (for active mode's events)
  // Bytes read from the transport and not yet fed to the engine: once connected, records are fed one at a
  // time and nothing after the peer's close_notify is fed, so that a downgrade hands it back.
  std::vector<uint8_t> inbuf;
  Role role = Role::client;
  std::shared_ptr<const Config> config;        // client: its own; server: the listen socket's (its session
                                               // cache serves handshake(socket, options) too)
  PeerId peer;
  std::unique_ptr<Engine> engine;              // made when the handshake starts
  std::optional<Error> error;                  // sticky: the first fatal error
  bool read_shut = false, write_shut = false;  // shutdown() or close_notify in either direction
  bool eof = false;                            // the transport ended
  bool eof_first = false;                      // ... before the peer's close_notify came

  // Delivery.
  SocketOpts opts = default_socket_opts();  // every field set
  Owner owner;
  bool reading = false;      // a thread reads the transport with `mu` released
  std::atomic<bool> interrupted = false;  // close or shutdown(read): reading stops
  int wake_fd = -1;          // eventfd: written when interrupted
  std::thread reader;        // active mode's reader (started the first time the socket is active)
  bool reader_stop = false;
  bool ended = false;        // the closed or error event went to the owner, or recv returned the end

  // hibernate_after.
  std::chrono::steady_clock::time_point last_traffic = std::chrono::steady_clock::now();
  bool hibernation_scheduled = false;  // a check is queued

  // Runs a handshake to the connection state, closing the socket on failure; starts delivery when active.
  Result<void, Error> handshake(std::shared_ptr<const Config> cfg, const detail::Deadline& deadline);
  bool open() const { return transport != nullptr; }
  // Closes the transport: descriptors linger in the background (at most `linger`) until the peer closes.
  // Waits for a reading thread to leave the transport first.
  void close_transport(std::chrono::milliseconds linger);
  // Feeds what inbuf holds to the engine (whole records only once connected; all of it at the end).
  void feed_input(bool at_end);
  // Writes whatever the engine has queued, as one send().
  Result<void, Error> flush();
  // One transport read fed to the engine, then its replies flushed; `mu` is released while reading. When
  // another thread is reading, waits for it instead (returns ok; the caller looks again). Errors: timeout,
  // closed, engine errors.
  Result<void, Error> pump(const detail::Deadline& deadline);
  // Called when the engine reports a fatal error: send its alert, wait for the peer to close (at most
  // alert_timeout when we sent the alert), close the transport, remember the error.
  Error fail_with(Error e);
  // close_notify in reply to the peer's, then the write shutdown (only with exit_on_close).
  void answer_close();
  int alert_timeout_ms() const;
  bool connected() const { return engine && engine->handshake_done(); }

  // Wakes a thread reading the transport and makes later reads return `closed` at once.
  void interrupt();
  // Undoes interrupt() (the downgrade reads on after stopping the reader): the flag and the eventfd.
  void clear_interrupt();
  // Stops the reader thread (joins it, or lets it finish by itself when called from it).
  void stop_reader();
  // Starts the reader thread if the socket is connected and active and it is not running yet.
  void start_reader();
  // The next message of the byte stream as `packet` cuts it, if a whole one is there (consumed); an
  // emsgsize error when a packet is longer than packet_size.
  Res<std::optional<Data>> take_packet(size_t raw_length);
  // What the owner is to receive now (data as far as `active` allows, then closed or error).
  std::vector<Event> take_events();
  void reader_loop();

  // Bytes moved (read or written): with hibernate_after, queues a check for when the idle time would end.
  void touch();
  // From the hibernation thread (takes `mu`): idle for hibernate_after? Then give back the idle buffers;
  // otherwise look again when the time since the last traffic will have run out.
  void check_hibernation();
  // The bytes the connection's buffers reserve (this object's and the engine's): what hibernation frees.
  size_t buffer_bytes() const;
};

}  // namespace essl

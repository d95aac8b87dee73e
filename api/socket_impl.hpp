// What a Socket is inside: a transport, an Engine, and the loop that moves bytes between them.
#pragma once
#include <memory>
#include <optional>

#include "api/deadline.hpp"
#include <vector>

#include "essl/transport.hpp"
#include "essl/ssl.hpp"
#include "statemachine/config.hpp"
#include "statemachine/engine.hpp"

namespace essl {

struct Socket::Impl {
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

  // Runs a handshake to the connection state, closing the socket on failure.
  Result<void, Error> handshake(std::shared_ptr<const Config> cfg, const detail::Deadline& deadline);
  bool open() const { return transport != nullptr; }
  // Closes the transport: descriptors linger in the background (at most `linger`) until the peer closes.
  void close_transport(std::chrono::milliseconds linger);
  // Feeds what inbuf holds to the engine (whole records only once connected; all of it at the end).
  void feed_input(bool at_end);
  // Writes whatever the engine has queued, as one send().
  Result<void, Error> flush();
  // One transport read fed to the engine, then its replies flushed. Errors: timeout, closed, engine errors.
  Result<void, Error> pump(const detail::Deadline& deadline);
  // Called when the engine reports a fatal error: send its alert, wait for the peer to close (at most
  // alert_timeout when we sent the alert), close the transport, remember the error.
  Error fail_with(Error e);
  // close_notify in reply to the peer's, then the write shutdown.
  void answer_close();
  int alert_timeout_ms() const;
  bool connected() const { return engine && engine->handshake_done(); }
};

}  // namespace essl

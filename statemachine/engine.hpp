// The sans-IO connection core: bytes in, bytes and events out.
//
//   Engine e(config, peer);
//   e.start();                         // a client queues its ClientHello
//   write(fd, e.pending_output());  e.consume_output(n);
//   e.feed(bytes_read);                // records in: handshake progresses, app data is buffered
//   e.app_data(); e.consume_app_data(n);
//   e.send(data);                      // application data out (after the handshake)
//   e.close();                         // close_notify
//
// A fatal error is sticky: error() stays set, the alert is queued in pending_output(), and later calls do
// nothing. The engine never blocks, never touches a socket, and never throws.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "codecs/wire.hpp"
#include "essl/connection_info.hpp"
#include "essl/error.hpp"
#include "statemachine/config.hpp"
#include "statemachine/table.hpp"

namespace essl {

struct PeerId {
  std::string host;  // as given to connect (client) or the peer's address (server)
  uint16_t port = 0;
  uint16_t local_port = 0;  // server: the listen port (its sessions' partial key)
};

class Engine {
 public:
  Engine(std::shared_ptr<const Config> config, PeerId peer);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Client: queues the ClientHello. Server: nothing to do until the ClientHello arrives.
  void start();

  // Consumes all the bytes (partial records are buffered).
  void feed(codec::ByteView bytes);

  // The transport ended (EOF). Mid-handshake or mid-record this is a truncation: error() becomes `closed`.
  void end_of_input();

  // Records ready for the transport.
  codec::ByteView pending_output() const;
  void consume_output(size_t n);

  // Decrypted application data ready for the user.
  codec::ByteView app_data() const;
  void consume_app_data(size_t n);

  // Queues application data (split into records); an error before the handshake completes or after close.
  Result<void, Error> send(codec::ByteView data);

  // Queues close_notify; later send() fails with `closed`.
  void close();
  // true (the default): the peer's close_notify is answered with ours at once (RFC 5246 7.2.1). false:
  // not answered (a half close, the peer having only shut its writing); send() goes on until close().
  void answer_close_notify(bool answer);

  // Starts a renegotiation (client: a new ClientHello; server: HelloRequest). Data keeps flowing while it
  // runs; handshakes_completed() grows when it ends, renegotiations_rejected() when the peer refuses.
  // An error if the first handshake is not done or a renegotiation is already under way.
  Result<void, Error> renegotiate();

  bool handshake_done() const;  // the first handshake completed (both Finished verified)
  bool renegotiating() const;   // a renegotiation is under way (or a HelloRequest awaits its answer)
  uint32_t handshakes_completed() const;
  uint32_t renegotiations_rejected() const;
  bool peer_closed() const;     // close_notify received
  const std::optional<Error>& error() const;
  std::string_view state_name() const;  // hello, certify, cipher, abbreviated, connection, ...
  std::string_view state_id() const;    // the transition table's fine-grained state (statemachine/table.hpp)
  // The flags the table's guards read for the next message, the environment's included (a server in
  // `connection`: whether a ClientHello may start a renegotiation now).
  table::Flags table_flags() const;

  ConnectionInfo info() const;
  // prf/5: the PRF of the negotiated suite and version over `secret` (the master secret: MasterSecret),
  // `label` and the seed parts (the randoms: those of the handshake that made the current keys).
  // Error::other("undefined") for SSL 3.0, which has no PRF, and before the first handshake completes.
  Result<std::vector<uint8_t>, Error> prf(const PrfSecret& secret, std::string_view label,
                                          const std::vector<PrfSeed>& seed, size_t length) const;
  // The protocol agreed by ALPN or NPN, if any.
  const std::optional<std::string>& negotiated_protocol() const;
  // The peer's certificate chain, leaf first, DER (empty if none).
  const std::vector<codec::Bytes>& peer_certificates() const;
  // hibernate_after: between handshakes, gives back the memory of the buffers that hold nothing (record
  // input and output, handshake reassembly, application data read and consumed). Nothing pending is lost
  // and the connection goes on as before; the buffers grow again when used. false (nothing given back)
  // while a handshake is under way.
  bool hibernate();
  // The buffers that hold nothing give back their memory (whatever the state; they grow again when used).
  void release_buffers();
  // The bytes the engine's buffers reserve now (for measuring hibernation).
  size_t buffer_capacity() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace essl

// The harness of the socket API's model-based properties: SocketFollowsTheModel (props/api_model_props.cpp,
// the passive socket, and what the model checks) and DeliveryModesFollowTheModel (props/api_mode_props.cpp,
// every delivery mode). One Harness per case holds:
//   - the socket under test, an essl client from connect() over 127.0.0.1 TCP, its events going to the
//     test thread's mailbox;
//   - the Peer: a plain TCP socket accepted from one listen socket that serves all cases, driven by an
//     in-memory server Engine (RSA key exchange), and the proxy: the server's write keys, recovered from
//     the captured ClientKeyExchange, open every record that engine writes and seal it again with the
//     proxy's own sequence numbers, so that warnings, fatal alerts, alerts with an illegal level and
//     records that do not authenticate fit anywhere in the stream;
//   - the Model of what the socket may answer and the peer may see.
// Harness::run runs one Cmd (command() generates them) on all three and checks the answers and what the
// peer received; Harness::finish reads the stream to its end and closes.
// The harness's files: api_peer.cpp, the connection (the handshake, the peer and its proxy);
// api_socket.cpp, the socket's commands and delivery against the model; api_harness.cpp, the commands
// and Harness::run and finish; api_harness_local.hpp, what those three share.
// Every wait is bounded: a short recv or take timeout when the model expects nothing, 5 s when it
// expects an answer, poll deadlines on the peer, connect's timeout.
#pragma once
#include <rapidcheck.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "crypto_glue/record_protection.hpp"
#include "essl/ssl.hpp"
#include "statemachine/engine.hpp"

namespace essl::props {

using codec::ByteView;
using codec::Bytes;

// RSA key exchange (the proxy recovers the keys) with AEAD, explicit-IV CBC and TLS 1.0's chained IV.
struct Variant { Version version; const char* suite; };
inline constexpr Variant variants[] = {
    {Version::tlsv1_2, "rsa_aes_128_gcm_sha256"},
    {Version::tlsv1_2, "rsa_aes_256_cbc_sha256"},
    {Version::tlsv1_1, "rsa_aes_128_cbc_sha"},
    {Version::tlsv1, "rsa_aes_128_cbc_sha"},
};

// ---- commands ----

enum class Op {
  send, recv, close, shutdown,                                       // the socket under test
  peer_data, peer_warnings, peer_fatal, peer_bad_level, peer_garbage,  // records from the peer
  peer_close_notify, peer_fin, peer_close,                            // the peer ends
  take, set_active, set_mode, getopts,                                // delivery (active modes)
};

struct Cmd {
  explicit Cmd(Op o = Op::recv, size_t n_ = 0, int timeout = 0, uint8_t d = 0, uint8_t l = 0,
               ShutdownHow h = ShutdownHow::write)
      : op(o), n(n_), timeout_ms(timeout), desc(d), level(l), how(h) {}
  Op op;
  size_t n;         // send/peer_data: bytes; recv: length; garbage: fragment length; warnings: count
  int timeout_ms;   // recv: the timeout when the model expects nothing
  uint8_t desc;     // alert description
  uint8_t level;    // peer_bad_level: the alert's level byte
  ShutdownHow how;
  Active active = Active(false);  // set_active
  Mode mode = Mode::binary;       // set_mode
};

// The value of {active, ...} as the counterexamples and messages show it: false, true, once or N.
std::string active_name(Active a);
void showValue(const Cmd& c, std::ostream& os);
// The socket's commands and the peer's (not delivery's: api_mode_props.cpp adds those).
rc::Gen<Cmd> command();

// ---- model ----

// The first event after the data that ends what the socket can read.
struct End {
  enum class Kind { close_notify, eof, received, sent };
  End(Kind k, AlertDescription a = AlertDescription::close_notify) : kind(k), alert(a) {}
  Kind kind;
  AlertDescription alert;
  bool is_alert() const { return kind == Kind::received || kind == Kind::sent; }
};
const char* end_name(End::Kind k);

// Whether the socket has taken the End in: unknown after recv returned data that came before it;
// `never` once an answer showed it did not and cannot any more (no reading after shutdown or close).
enum class Seen { unseen, maybe, reported, never };

struct Model {
  Bytes queue;  // sent by the peer, not yet returned by recv
  std::optional<End> end;
  Seen seen = Seen::unseen;
  bool user_closed = false, shut_read = false, shut_write = false;
  bool read_done = false;  // recv answered `closed` or the alert, or recv(0) took the rest: nothing more to read
  bool end_told = false;   // the end was reported: recv's `closed` or alert, the closed or error event
  int warnings = 0;        // warning alerts in a row on the stream
  bool peer_mute = false;  // the peer sent a fatal alert or ended its transport: it sends nothing more
  bool peer_fin = false, peer_gone = false;
  // The socket wrote after the peer closed its descriptor: the reset that answers may overtake what the
  // peer sent before closing (loopback packets can be processed out of order), and lose it.
  bool reset_possible = false;
  Bytes accepted;                                          // what send() accepted while the peer reads
  bool close_notify_out = false, close_notify_maybe = false;  // the socket sent close_notify
  int timeouts = 0;        // recv answered `timeout` (for the property's statistics)
  bool ambiguous = false;  // the End was once maybe taken in

  // Delivery. `active` is the socket's state as of the last event taken from the mailbox: data events
  // the reader has delivered and the test has not taken yet are ahead of it. Commands that depend on the
  // socket's exact state (setopts active, recv) first take what is due (Harness::settle).
  Active active = Active(false);
  // The modes a data event may carry, oldest first: a setopts(mode) while data events may be on their
  // way leaves them in the earlier mode. The last is the socket's mode.
  std::vector<Mode> modes{Mode::binary};
  // The reader may have answered the peer's end (or the socket's shutdown(read)) in the background:
  // close_notify and the write shutdown.
  bool answer_maybe = false;
  bool draining = false;  // taking what an active socket delivered before close(): anything in order
  // setopts turned the socket passive while its reader may have been waiting for the transport: that
  // read still completes and feeds the engine, which may so take in the end of the stream (as the
  // reference's connection process handles what its already armed {active, once} TCP socket delivers).
  bool stray_read = false;
  Bytes streamed;         // every byte queued, in order
  Bytes returned;         // every byte recv and data events returned, in order
  size_t discarded = 0;   // bytes the model dropped at the stream's end (not readable any more)
  int data_events = 0, passive_events = 0, einvals = 0, mode_changes = 0;

  // How many data events the socket may deliver before turning passive.
  int credit() const {
    switch (active.kind()) {
      case Active::Kind::off: return 0;
      case Active::Kind::on: return 1 << 30;
      case Active::Kind::once: return 1;
      case Active::Kind::count: return active.n();
    }
    return 0;
  }
  // Whether an active socket has an event due: data, or the closed or error event.
  bool deliverable() const { return !user_closed && !end_told && (!queue.empty() || end || shut_read); }
  // The socket's state after k more data events.
  Active after(int k) const {
    if (k == 0) return active;
    if (active.kind() == Active::Kind::once) return Active(false);
    if (active.kind() == Active::Kind::count) return active.n() > k ? Active::count(active.n() - k) : Active(false);
    return active;
  }
  void drop_queue() {
    discarded += queue.size();
    queue.clear();
  }

  bool err_certain() const { return end && end->is_alert() && seen == Seen::reported; }
  bool err_possible() const { return end && end->is_alert() && (seen == Seen::maybe || seen == Seen::reported); }
  Error error() const { return Error::tls_alert(end->alert, end->kind == End::Kind::sent); }
  void stream_end(End e) { if (!end) end = e; }

  std::string describe() const {
    std::ostringstream os;
    os << "[model: " << queue.size() << " bytes due";
    if (end) {
      os << ", then " << end_name(end->kind);
      if (end->is_alert()) os << " " << alert_atom(end->alert);
      static const char* seen_names[] = {"unseen", "maybe taken in", "reported", "never taken in"};
      os << " (" << seen_names[int(seen)] << ")";
    }
    os << (user_closed ? ", closed" : "") << (shut_read ? ", shut read" : "") << (shut_write ? ", shut write" : "")
       << (read_done ? ", read done" : "") << (peer_gone ? ", peer gone" : "") << ", active "
       << active_name(active) << (modes.back() == Mode::list ? ", list" : ", binary") << "]";
    return os.str();
  }
};

// ---- the connection: the socket under test and the peer ----

struct Peer {
  int fd = -1;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<crypto::RecordProtection> open, seal;  // both with the server's write keys
  uint64_t open_seq = 1, seal_seq = 1;                   // the Finished took sequence number 0
  uint16_t version = 0;
  Bytes raw;             // the engine's output not yet a whole record
  Bytes user_sent;       // what the peer's user handed to its engine
  Bytes got;             // the socket's data, as the engine decrypted it
  size_t wire = 0;       // bytes written to the socket
  bool close_sent = false, eof = false, write_failed = false;

  ~Peer() { if (fd >= 0) ::close(fd); }
};

// The socket under test, the peer, and the model; each command runs on all three.
struct Harness {
  Peer peer_;
  Socket sut_;
  Model m_;

  explicit Harness(size_t variant, const SocketOptions& sock = passive_binary());

  // Whether the peer may still write this many bytes (it is not mute and within its budget).
  bool peer_room(size_t bytes) const;

  // ---- the peer ----
  void write_peer(ByteView record);
  void forward(uint8_t type, ByteView plain);  // seals a record with the proxy's keys and sends it
  void pull();             // forwards the peer engine's records; the model's stream follows them
  void peer_read();        // reads whatever the socket wrote, without waiting
  void check_peer();       // what the peer saw so far is allowed
  bool peer_caught_up() const;
  void sync();             // reads until the peer has all the socket must have written

  // ---- the socket under test ----
  void sut_send(size_t n);
  void sut_recv(size_t length, int timeout_ms);
  void sut_close();
  void sut_shutdown(ShutdownHow how);

  // ---- delivery ----
  void background();              // what an active socket's reader may do in the background
  void settle();                  // takes what an active socket has due until its state is known
  bool sut_take(int timeout_ms);  // the next event from the owner's mailbox; false when none came
  void sut_getopts();
  void sut_set_active(Active a);
  void sut_set_mode(Mode mode);

  // Runs a command on the socket, the peer and the model.
  void run(const Cmd& c);
  // Ends the stream if nothing has, reads it to its end, closes, and checks the whole stream.
  void finish();
};

}  // namespace essl::props

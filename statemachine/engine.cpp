// The engine: records in, table lookup, handler, next state; alerts and the sticky error.
#include "statemachine/engine.hpp"

#include <chrono>

#include "codecs/copy.hpp"
#include "codecs/handshake.hpp"
#include "codecs/record.hpp"
#include "crypto_glue/prf.hpp"
#include "statemachine/connection.hpp"

namespace essl {

using codec::ContentType;
using table::Handler;
using table::Msg;

namespace {

// Consecutive warning alerts tolerated before the peer is judged to be flooding us.
constexpr int max_warning_alerts = 10;
//= https://www.rfc-editor.org/rfc/rfc5746#section-4.4
//# servers SHOULD follow the guidelines in Section 4.4 to limit the
// The rate limit on client-initiated renegotiation: after one, the next is refused (warning
// no_renegotiation) for this long (the reference's 12 s).
constexpr int64_t reneg_interval_ms = 12000;
// Consecutive empty application-data records tolerated (they carry nothing but cost a decryption each;
// TLS 1.0 CBC senders use one per record against BEAST, so a few in a row are normal).
constexpr int max_empty_records = 32;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::optional<Msg> msg_for(codec::HandshakeType t) {
  using HT = codec::HandshakeType;
  switch (t) {
    case HT::hello_request: return Msg::hello_request;
    case HT::client_hello: return Msg::client_hello;
    case HT::server_hello: return Msg::server_hello;
    case HT::certificate: return Msg::certificate;
    case HT::server_key_exchange: return Msg::server_key_exchange;
    case HT::certificate_request: return Msg::certificate_request;
    case HT::server_hello_done: return Msg::server_hello_done;
    case HT::certificate_verify: return Msg::certificate_verify;
    case HT::client_key_exchange: return Msg::client_key_exchange;
    case HT::next_protocol: return Msg::next_protocol;
    case HT::finished: return Msg::finished;
    default: return std::nullopt;
  }
}

}  // namespace

struct Engine::Impl {
  Conn c;
  codec::Bytes hs_in;  // handshake bytes not yet forming a whole message
  size_t hs_pos = 0;
  codec::Bytes app_in;
  size_t app_pos = 0;
  std::optional<Error> error;
  bool started = false;
  bool peer_closed = false;
  bool close_sent = false;
  bool answer_close = true;
  int warnings = 0;
  int empty_records = 0;
  // Renegotiation.
  bool hello_request_sent = false;  // server: a renegotiation we asked for is still to come
  std::optional<int64_t> last_client_reneg_ms;  // server: when the last client-initiated one began
  uint32_t reneg_rejected = 0;      // renegotiations we asked for that the peer refused
  uint64_t auto_retry_seq = 0;      // no automatic renegotiation before this write sequence number

  void fatal(AlertDescription d, std::string why = {}) {
    if (error) return;
    if (c.hs) c.hs->hs_out.clear();  // never a partial flight
    send_alert(AlertLevel::fatal, d);
    error = Error::tls_alert(d, true, std::string(state_name()), std::move(why));
    c.forget_session();
  }

  void send_alert(AlertLevel level, AlertDescription d) {
    uint8_t a[2] = {uint8_t(level), uint8_t(d)};
    c.rl.write(ContentType::alert, a, c.rng());
  }

  std::string_view state_name() const { return table::phase(c.state, c.has(table::f_resuming)); }

  bool dead() const { return error.has_value() || peer_closed; }

  void feed(codec::ByteView bytes) {
    if (dead()) return;
    c.rl.append_input(bytes);
    while (!dead()) {
      auto r = c.rl.next();
      if (!r) return fatal(r.error(), "record");
      if (!r.value()) break;
      on_record(*r.value());
    }
    if (!error && c.hs) c.flush_handshake();
    // Once connected, the reassembly buffer (sized by the peer's certificate chain) is not kept idle.
    if (c.state == table::State::connection && hs_pos == hs_in.size() && hs_in.capacity() > 0) {
      codec::Bytes().swap(hs_in);
      hs_pos = 0;
    }
  }

  void on_record(const InRecord& rec) {
    if (rec.type != ContentType::alert) warnings = 0;
    //= https://www.rfc-editor.org/rfc/rfc5246#section-6.2.1
    //# Implementations MUST NOT send zero-length fragments of Handshake,
    //# Alert, or ChangeCipherSpec content types.
    if (rec.fragment.empty() && rec.type != ContentType::application_data)
      return fatal(AlertDescription::unexpected_message, "empty record");
    empty_records = rec.fragment.empty() ? empty_records + 1 : 0;
    if (empty_records > max_empty_records)
      return fatal(AlertDescription::unexpected_message, "too many empty records");
    // A handshake message split over records may not have other content types between its pieces.
    if (rec.type != ContentType::handshake && hs_pos < hs_in.size())
      return fatal(AlertDescription::unexpected_message, "interleaved with a fragmented handshake message");
    switch (rec.type) {
      case ContentType::handshake: return on_handshake_bytes(rec.fragment);
      case ContentType::change_cipher_spec: return dispatch(Msg::change_cipher_spec, rec.fragment, {});
      case ContentType::application_data: return dispatch(Msg::application_data, rec.fragment, {});
      case ContentType::alert: return on_alert(rec.fragment);
    }
  }

  void on_handshake_bytes(codec::ByteView frag) {
    if (hs_pos == hs_in.size()) {
      hs_in.clear();
      hs_pos = 0;
    }
    hs_in.insert(hs_in.end(), frag.begin(), frag.end());
    while (!dead()) {
      size_t avail = hs_in.size() - hs_pos;
      if (avail < codec::handshake_header_size) break;
      codec::ByteView at = codec::ByteView(hs_in).subspan(hs_pos);
      auto h = codec::decode_handshake_header(at.first(codec::handshake_header_size));
      if (!h) {
        if (h.error() == codec::DecodeError::illegal_value)
          return fatal(AlertDescription::unexpected_message, "unknown handshake type");
        return fatal(codec::alert_for(h.error()), "handshake message too long");
      }
      size_t total = codec::handshake_header_size + h->length;
      if (avail < total) break;
      auto m = msg_for(h->type);
      if (!m) return fatal(AlertDescription::unexpected_message, "handshake type not expected");
      // The view stays valid: dispatch does not touch hs_in.
      codec::ByteView raw = at.first(total);
      hs_pos += total;
      dispatch(*m, raw.subspan(codec::handshake_header_size), raw);
    }
    if (hs_pos == hs_in.size()) {
      hs_in.clear();
      hs_pos = 0;
    }
  }

  int64_t now_ms() const { return c.cfg->now_ms ? c.cfg->now_ms() : steady_ms(); }

  // Server in `connection`: whether a ClientHello may start a renegotiation now (table::f_reneg_allowed).
  bool renegotiation_allowed() const {
    if (hello_request_sent) return true;
    if (!c.cfg->options.client_renegotiation) return false;
    return !last_client_reneg_ms || now_ms() - *last_client_reneg_ms >= reneg_interval_ms;
  }

  // The flags with the environment's as they are now (table::environment_flags).
  table::Flags flags_now() const {
    if (c.role != Role::server || c.state != table::State::connection) return c.flags;
    return renegotiation_allowed() ? table::Flags(c.flags | table::f_reneg_allowed)
                                   : table::Flags(c.flags & ~table::f_reneg_allowed);
  }

  void dispatch(Msg m, codec::ByteView body, codec::ByteView raw) {
    c.flags = flags_now();
    const table::Row* row = table::find(c.role, c.state, m, c.flags);
    if (!row) {
      return fatal(AlertDescription::unexpected_message,
                   std::string(table::msg_name(m)) + " in " + std::string(table::state_id(c.state)));
    }
    // A row that leaves `connection` starts a renegotiation: a new handshake state, and flags from scratch.
    const table::Flags before = c.flags;
    const bool new_handshake = row->state == table::State::connection && row->next != table::State::connection;
    if (new_handshake) {
      c.hs = std::make_unique<HandshakeState>();
      c.flags = table::f_renegotiating;
      c.resumed = false;
      //= https://www.rfc-editor.org/rfc/rfc7301#section-3.1
      //# Unlike many other TLS extensions, this extension does not establish
      //# properties of the session, only of the connection.
      // ALPN and NPN are negotiated again by the new handshake's hellos (a stale choice would have the
      // server answer ALPN that the client did not offer).
      c.negotiated_protocol.reset();
      if (c.role == Role::server) {
        if (!hello_request_sent) last_client_reneg_ms = now_ms();
        hello_request_sent = false;
      }
    }
    const table::Flags base = c.flags;
    In in{body, 0};
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.1
    //# This message MUST NOT be included in the message hashes that are
    //# maintained throughout the handshake and used in the Finished messages
    //# and the certificate verify message.
    if (!raw.empty() && m != Msg::hello_request && c.hs) {
      in.transcript_before = c.hs->transcript.size();
      c.hs->transcript.insert(c.hs->transcript.end(), raw.begin(), raw.end());
    }
    const uint32_t completed = c.handshakes;
    Step s = run(row->handler, in);
    if (!s) return fatal(s.error().alert, s.error().why);
    c.flags = table::entering(row->state, row->next, before, table::Flags(c.flags & ~base));
    if (c.handshakes != completed) auto_retry_seq = 0;  // new keys: the count starts over
    c.state = row->next;
  }

  Step run(Handler h, const In& in) {
    switch (h) {
      case Handler::ignore: return {};
      case Handler::refuse_renegotiation:
        //= https://www.rfc-editor.org/rfc/rfc5246#section-7.2.2
        //# no_renegotiation
        //#    Sent by the client in response to a hello request or by the
        //#    server in response to a client hello after initial handshaking.
        //#    [...] This message is always a warning.
        send_alert(AlertLevel::warning, AlertDescription::no_renegotiation);
        return {};
      case Handler::deliver_app_data:
        codec::append_bytes(app_in, in.body);
        return {};
      case Handler::change_cipher_spec: return on_change_cipher_spec(c, in);
      case Handler::c_server_hello: return client_on_server_hello(c, in);
      case Handler::c_server_certificate: return client_on_certificate(c, in);
      case Handler::c_server_key_exchange: return client_on_server_key_exchange(c, in);
      case Handler::c_certificate_request: return client_on_certificate_request(c, in);
      case Handler::c_server_hello_done: return client_on_server_hello_done(c, in);
      case Handler::c_finished: return on_finished(c, in, false);
      case Handler::c_abbr_finished: return on_finished(c, in, true);
      case Handler::s_client_hello: return server_on_client_hello(c, in);
      case Handler::s_client_certificate: return server_on_certificate(c, in);
      case Handler::s_client_key_exchange: return server_on_client_key_exchange(c, in);
      case Handler::s_certificate_verify: return server_on_certificate_verify(c, in);
      case Handler::s_next_protocol: return server_on_next_protocol(c, in);
      case Handler::s_finished: return on_finished(c, in, false);
      case Handler::s_abbr_finished: return on_finished(c, in, true);
      case Handler::c_renegotiate: return client_send_hello(c);
      case Handler::s_hello_request: {
        //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.1
        //# struct { } HelloRequest;
        const uint8_t hello_request[codec::handshake_header_size] = {uint8_t(codec::HandshakeType::hello_request)};
        c.rl.write(ContentType::handshake, hello_request, c.rng());
        hello_request_sent = true;
        return {};
      }
      case Handler::renegotiation_refused:
        if (c.role == Role::client) {
          c.hs.reset();  // what the abandoned ClientHello started
          ++reneg_rejected;
        } else if (hello_request_sent) {
          hello_request_sent = false;
          ++reneg_rejected;
        }
        return {};
    }
    return refuse(AlertDescription::internal_error, "no handler");
  }

  void on_alert(codec::ByteView frag) {
    auto a = codec::decode_alert(frag);
    if (!a) return fatal(AlertDescription::decode_error, "alert");
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.2
    //# Upon transmission or receipt of a fatal alert message, both
    //# parties immediately close the connection.
    if (a->level == AlertLevel::fatal) {
      error = Error::tls_alert(a->description, false, std::string(state_name()));
      //= https://www.rfc-editor.org/rfc/rfc5246#section-7.2.2
      //# Thus, any connection terminated with a fatal alert MUST NOT be resumed.
      c.forget_session();
      return;
    }
    if (a->description == AlertDescription::close_notify) {
      //= https://www.rfc-editor.org/rfc/rfc5246#section-7.2.1
      //# The other party MUST respond with a close_notify alert of its own
      //# and close down the connection immediately, discarding any pending
      //# writes.
      peer_closed = true;
      if (!close_sent && answer_close) {
        if (c.hs) c.hs->hs_out.clear();
        send_alert(AlertLevel::warning, AlertDescription::close_notify);
        close_sent = true;
      }
      if (c.state != table::State::connection) error = Error::closed();
      return;
    }
    // Other warnings (no_renegotiation, user_canceled, unknown ones) are noted and passed over, but not
    // without bound. A no_renegotiation that answers our request ends that renegotiation (a table row).
    if (++warnings > max_warning_alerts) return fatal(AlertDescription::decode_error, "too many warning alerts");
    if (a->description == AlertDescription::no_renegotiation &&
        table::find(c.role, c.state, Msg::no_renegotiation, c.flags))
      dispatch(Msg::no_renegotiation, {}, {});
  }
};

Engine::Engine(std::shared_ptr<const Config> config, PeerId peer) : impl_(std::make_unique<Impl>()) {
  Conn& c = impl_->c;
  c.cfg = std::move(config);
  c.peer = std::move(peer);
  c.role = c.cfg->role;
  c.state = c.role == Role::client ? table::State::c_wait_server_hello : table::State::s_wait_client_hello;
  c.hs = std::make_unique<HandshakeState>();
  if (!c.cfg->versions.empty()) c.rl.set_write_version(uint16_t(std::min(c.cfg->versions.back(), Version::tlsv1)));
}

Engine::~Engine() = default;

void Engine::start() {
  Impl& d = *impl_;
  if (d.started || d.error) return;
  d.started = true;
  if (d.c.role == Role::client) {
    if (Step s = client_send_hello(d.c); !s) d.fatal(s.error().alert, s.error().why);
  }
}

void Engine::feed(codec::ByteView bytes) {
  if (!impl_->started) start();
  impl_->feed(bytes);
}

void Engine::end_of_input() {
  Impl& d = *impl_;
  if (d.dead()) return;
  d.peer_closed = true;
  // A transport that ends without close_notify mid-handshake or mid-record is a truncation.
  if (d.c.state != table::State::connection || d.c.rl.partial_input()) d.error = Error::closed();
}

codec::ByteView Engine::pending_output() const { return impl_->c.rl.output(); }
void Engine::consume_output(size_t n) { impl_->c.rl.consume(n); }

codec::ByteView Engine::app_data() const { return codec::ByteView(impl_->app_in).subspan(impl_->app_pos); }

void Engine::consume_app_data(size_t n) {
  Impl& d = *impl_;
  d.app_pos += std::min(n, d.app_in.size() - d.app_pos);
  if (d.app_pos == d.app_in.size()) {
    d.app_in.clear();
    d.app_pos = 0;
  }
}

bool Engine::hibernate() {
  Impl& d = *impl_;
  if (d.c.hs) return false;  // a handshake under way keeps what it has
  release_buffers();
  d.c.rl.release_idle();
  return true;
}

void Engine::release_buffers() {
  Impl& d = *impl_;
  if (d.hs_pos == d.hs_in.size()) {
    codec::Bytes().swap(d.hs_in);
    d.hs_pos = 0;
  }
  if (d.app_pos == d.app_in.size()) {
    codec::Bytes().swap(d.app_in);
    d.app_pos = 0;
  }
  d.c.rl.release_buffers();
}

size_t Engine::buffer_capacity() const {
  const Impl& d = *impl_;
  return d.hs_in.capacity() + d.app_in.capacity() + d.c.rl.capacity();
}

Result<void, Error> Engine::send(codec::ByteView data) {
  Impl& d = *impl_;
  if (d.error) return fail(*d.error);
  if (d.close_sent) return fail(Error::closed());
  // During a renegotiation data goes on under the current write keys (our ChangeCipherSpec and Finished
  // leave in one flight, so nothing is written between them).
  if (!d.c.established) return fail(Error::other("handshake_not_complete"));
  if (data.empty()) return {};
  //= https://www.rfc-editor.org/rfc/rfc5246#section-6.1
  //# Sequence numbers are of type uint64 and may not exceed 2^64-1.
  // Long before that, at the reference's 2^28 records, a new handshake brings new keys. If the peer
  // refuses, the next attempt comes after as many records again.
  const uint64_t seq = d.c.rl.write_seq();
  if (d.c.state == table::State::connection && !d.hello_request_sent && seq >= d.c.cfg->renegotiate_at &&
      seq >= d.auto_retry_seq) {
    d.auto_retry_seq = seq + d.c.cfg->renegotiate_at;
    d.dispatch(Msg::renegotiate, {}, {});
    if (d.error) return fail(*d.error);
    d.c.flush_handshake();
  }
  d.c.rl.write(ContentType::application_data, data, d.c.rng());
  return {};
}

Result<void, Error> Engine::renegotiate() {
  Impl& d = *impl_;
  if (d.error) return fail(*d.error);
  if (d.close_sent) return fail(Error::closed());
  if (!d.c.established) return fail(Error::other("handshake_not_complete"));
  // Only `connection` has a row for it: one renegotiation at a time.
  if (d.hello_request_sent || !table::find(d.c.role, d.c.state, Msg::renegotiate, d.c.flags))
    return fail(Error::other("already_renegotiating"));
  d.dispatch(Msg::renegotiate, {}, {});
  if (d.error) return fail(*d.error);
  if (d.c.hs) d.c.flush_handshake();
  return {};
}

void Engine::answer_close_notify(bool answer) { impl_->answer_close = answer; }

void Engine::close() {
  Impl& d = *impl_;
  if (d.error || d.close_sent) return;
  if (d.c.hs) d.c.hs->hs_out.clear();
  d.send_alert(AlertLevel::warning, AlertDescription::close_notify);
  d.close_sent = true;
}

bool Engine::handshake_done() const { return impl_->c.established; }
bool Engine::renegotiating() const {
  const Impl& d = *impl_;
  return d.c.established && (d.c.state != table::State::connection || d.hello_request_sent);
}
uint32_t Engine::handshakes_completed() const { return impl_->c.handshakes; }
uint32_t Engine::renegotiations_rejected() const { return impl_->reneg_rejected; }
bool Engine::peer_closed() const { return impl_->peer_closed; }
const std::optional<Error>& Engine::error() const { return impl_->error; }
std::string_view Engine::state_name() const { return impl_->state_name(); }
std::string_view Engine::state_id() const { return table::state_id(impl_->c.state); }
table::Flags Engine::table_flags() const { return impl_->flags_now(); }

ConnectionInfo Engine::info() const {
  const Conn& c = impl_->c;
  ConnectionInfo i;
  i.protocol = c.version;
  if (c.suite) {
    i.cipher_suite = c.suite->spec;
    i.cipher_suite_name = std::string(c.suite->erlang);
  }
  i.sni_hostname = c.sni;
  i.session_id = c.session_id;
  i.resumed = c.resumed;
  i.extended_master_secret = c.extended_master_secret;
  i.encrypt_then_mac = c.encrypt_then_mac;
  const codec::Random& cr = c.hs ? c.hs->client_random : c.client_random;
  const codec::Random& sr = c.hs ? c.hs->server_random : c.server_random;
  i.client_random.assign(cr.begin(), cr.end());
  i.server_random.assign(sr.begin(), sr.end());
  return i;
}

Result<std::vector<uint8_t>, Error> Engine::prf(const PrfSecret& secret, std::string_view label,
                                                const std::vector<PrfSeed>& seed, size_t length) const {
  const Conn& c = impl_->c;
  if (!c.established || !c.suite || !c.version || *c.version == Version::sslv3) return fail(Error::other("undefined"));
  codec::Bytes joined;
  for (const auto& part : seed) {
    if (const auto* bytes = std::get_if<std::vector<uint8_t>>(&part)) {
      joined.insert(joined.end(), bytes->begin(), bytes->end());
    } else {
      const codec::Random& r = std::get<PrfRandom>(part) == PrfRandom::client_random ? c.client_random : c.server_random;
      joined.insert(joined.end(), r.begin(), r.end());
    }
  }
  const auto* own = std::get_if<std::vector<uint8_t>>(&secret);
  return crypto::prf(crypto::prf_hash(*c.version, c.suite->spec), own ? codec::ByteView(*own) : codec::ByteView(c.master),
                     label, joined, length);
}

const std::optional<std::string>& Engine::negotiated_protocol() const { return impl_->c.negotiated_protocol; }

const std::vector<codec::Bytes>& Engine::peer_certificates() const { return impl_->c.peer_certs_der; }

}  // namespace essl

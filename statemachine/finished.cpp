// Both roles: ChangeCipherSpec (RFC 5246 7.1) and Finished (7.4.9); NextProtocol
// (draft-agl-tls-nextprotoneg-04 4), which the client sends between them.
#include "codecs/finished.hpp"
#include "codecs/next_protocol.hpp"
#include "crypto_glue/hash.hpp"
#include "statemachine/connection.hpp"

namespace essl {

Step on_change_cipher_spec(Conn& c, const In& in) {
  auto m = codec::decode_change_cipher_spec(in.body);
  if (!m) return refuse(codec::alert_for(m.error()), "change_cipher_spec");
  if (!c.hs->pending_read) return refuse(AlertDescription::unexpected_message, "no pending cipher state");
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.1
  //# Reception of this message causes the receiver to instruct the record layer to immediately copy the
  //# read pending state into the read current state.
  c.rl.activate_read(std::move(c.hs->pending_read));
  return {};
}

void queue_next_protocol(Conn& c) {
  if (c.role != Role::client || !c.hs->npn_choice) return;
  codec::Bytes body;
  codec::Writer w(body);
  codec::encode_next_protocol(codec::make_next_protocol(*c.hs->npn_choice), w);
  c.queue_handshake(codec::HandshakeType::next_protocol, body);
  c.negotiated_protocol = c.hs->npn_choice;
}

// The table lets NextProtocol in only after the client's ChangeCipherSpec, once, and only when the
// server answered NPN. The padding is ignored: its length is only a SHOULD for the sender (draft 4).
Step server_on_next_protocol(Conn& c, const In& in) {
  auto m = codec::decode_next_protocol(in.body);
  if (!m) return refuse(codec::alert_for(m.error()), "next_protocol");
  // The client may choose a protocol that the server did not advertise.
  if (!m->selected_protocol.empty()) c.negotiated_protocol = m->selected_protocol;
  c.set(table::f_npn_received);
  return {};
}

Result<FinishedVerified, Fail> verify_finished(Conn& c, const In& in) {
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.9
  //# verify_data
  //#    PRF(master_secret, finished_label, Hash(handshake_messages))
  //#       [0..verify_data_length-1];
  size_t len = *c.version == Version::sslv3 ? 36 : 12;
  auto m = codec::decode_finished(in.body, len);
  if (!m) return fail(Fail{codec::alert_for(m.error()), "finished"});
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.9
  //# Recipients of Finished messages MUST verify that the contents are
  //# correct.
  if (!crypto::equal_ct(m->verify_data, c.expected_finished(in.transcript_before)))
    return fail(Fail{AlertDescription::decrypt_error, "bad finished"});
  c.hs->peer_verify_data = m->verify_data;
  return FinishedVerified{};
}

Step on_finished(Conn& c, const In& in, bool abbreviated) {
  auto proof = verify_finished(c, in);
  if (!proof) return fail(proof.error());
  // Full handshake: the client finishes first; abbreviated: the server does. Whoever did not yet
  // answers with its own ChangeCipherSpec and Finished.
  bool owe_finished = (c.role == Role::client) == abbreviated;
  if (owe_finished) {
    c.send_change_cipher_spec();
    c.send_finished();
  }
  c.complete_handshake(std::move(proof.value()));
  return {};
}

}  // namespace essl

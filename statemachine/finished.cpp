// Both roles: ChangeCipherSpec (RFC 5246 7.1) and Finished (7.4.9).
#include "codecs/finished.hpp"
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

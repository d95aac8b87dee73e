#include "model/reference_mealy.hpp"

namespace essl::model {

std::string_view in_name(In i) {
  switch (i) {
    case In::client_hello: return "ClientHello";
    case In::server_hello: return "ServerHello";
    case In::certificate: return "Certificate";
    case In::server_key_exchange: return "ServerKeyExchange";
    case In::certificate_request: return "CertificateRequest";
    case In::server_hello_done: return "ServerHelloDone";
    case In::client_key_exchange: return "ClientKeyExchange";
    case In::certificate_verify: return "CertificateVerify";
    case In::next_protocol: return "NextProtocol";
    case In::change_cipher_spec: return "ChangeCipherSpec";
    case In::finished: return "Finished";
    case In::application_data: return "ApplicationData";
    case In::alert: return "Alert";
    case In::hello_request: return "HelloRequest";
    case In::empty_record: return "EmptyRecord";
    case In::garbage: return "Garbage";
  }
  return "?";
}

Reference::Reference(const Scenario& s)
    : sc_(s), st_(s.test_client ? St::c_wait_server_hello : St::s_wait_client_hello) {}

std::string_view Reference::state() const {
  switch (st_) {
    case St::c_wait_server_hello: return "c_wait_server_hello";
    case St::c_wait_certificate: return "c_wait_certificate";
    case St::c_wait_request_or_done: return "c_wait_request_or_done";
    case St::c_wait_done: return "c_wait_done";
    case St::c_wait_ccs: return "c_wait_ccs";
    case St::c_wait_finished: return "c_wait_finished";
    case St::c_abbr_wait_ccs: return "c_abbr_wait_ccs";
    case St::c_abbr_wait_finished: return "c_abbr_wait_finished";
    case St::s_wait_client_hello: return "s_wait_client_hello";
    case St::s_wait_certificate: return "s_wait_certificate";
    case St::s_wait_key_exchange: return "s_wait_key_exchange";
    case St::s_wait_cert_verify: return "s_wait_cert_verify";
    case St::s_wait_ccs: return "s_wait_ccs";
    case St::s_wait_finished: return "s_wait_finished";
    case St::s_abbr_wait_ccs: return "s_abbr_wait_ccs";
    case St::s_abbr_wait_finished: return "s_abbr_wait_finished";
    case St::connected: return "connected";
    case St::c_reneg_wait_server_hello: return "c_reneg_wait_server_hello";
    case St::over: return "over";
  }
  return "?";
}

std::string Reference::fatal(std::string_view alert) {
  st_ = St::over;
  return "alert:" + std::string(alert);
}

std::string Reference::step(In i) {
  if (st_ == St::over) return "-";
  switch (i) {
    // RFC 5246 7.2: upon receipt of a fatal alert both parties close the connection.
    case In::alert: st_ = St::over; return "closed";
    // RFC 5246 6.2.1: no zero-length fragments of Handshake, Alert or ChangeCipherSpec.
    case In::empty_record: return fatal("unexpected_message");
    // RFC 5246 6: "If a TLS implementation receives an unexpected record type, it MUST send an
    // unexpected_message alert."
    case In::garbage: return fatal("unexpected_message");
    // RFC 5246 6.2.2/7.4.9: application data is protected by the negotiated keys only; during a
    // renegotiation the current keys stay in force until the peer's ChangeCipherSpec.
    case In::application_data:
      return st_ == St::connected || st_ == St::c_reneg_wait_server_hello ? "data" : fatal("unexpected_message");
    default: break;
  }
  return sc_.test_client ? client(i) : server(i);
}

std::string Reference::client(In i) {
  // RFC 5246 7.4.1.1: a HelloRequest during a handshake is ignored; afterwards the client begins the
  // negotiation anew with a ClientHello.
  if (i == In::hello_request) {
    if (st_ != St::connected) return "-";
    st_ = St::c_reneg_wait_server_hello;
    return "CH";
  }
  switch (st_) {
    // RFC 5746 3.5: a renegotiation's ServerHello carries both Finished messages' verify_data; the
    // explorer's carries the first handshake's empty renegotiation_info, which fails the check.
    case St::c_reneg_wait_server_hello:
      if (i != In::server_hello) break;
      return fatal("handshake_failure");
    case St::c_wait_server_hello:
      if (i != In::server_hello) break;
      st_ = sc_.resume ? St::c_abbr_wait_ccs : St::c_wait_certificate;
      return "-";
    case St::c_wait_certificate:
      if (i != In::certificate) break;
      st_ = St::c_wait_request_or_done;
      return "-";
    case St::c_wait_request_or_done:
      if (i == In::certificate_request) {
        st_ = St::c_wait_done;
        return "-";
      }
      if (i != In::server_hello_done) break;
      st_ = St::c_wait_ccs;
      return "CKE,CCS,Fin";
    case St::c_wait_done:
      if (i != In::server_hello_done) break;
      st_ = St::c_wait_ccs;
      // RFC 5246 7.4.6: asked for a certificate, the client sends one, or an empty list if it has none;
      // 7.4.8: CertificateVerify only after a certificate with signing capability.
      return sc_.client_cert ? "Cert,CKE,CV,CCS,Fin" : "Cert,CKE,CCS,Fin";
    case St::c_wait_ccs:
      if (i != In::change_cipher_spec) break;
      st_ = St::c_wait_finished;
      return "-";
    case St::c_wait_finished:
      if (i != In::finished) break;
      st_ = St::connected;
      return "-";
    case St::c_abbr_wait_ccs:
      if (i != In::change_cipher_spec) break;
      st_ = St::c_abbr_wait_finished;
      return "-";
    case St::c_abbr_wait_finished:
      if (i != In::finished) break;
      st_ = St::connected;
      return "CCS,Fin";
    default: break;
  }
  return fatal("unexpected_message");
}

std::string Reference::server(In i) {
  // RFC 5746 3.7: after the handshake a ClientHello starts a renegotiation and must carry the client's
  // verify_data; the explorer's carries the first handshake's empty renegotiation_info.
  if (st_ == St::connected && i == In::client_hello) return fatal("handshake_failure");
  switch (st_) {
    case St::s_wait_client_hello:
      if (i != In::client_hello) break;
      if (sc_.resume) {
        st_ = St::s_abbr_wait_ccs;
        return "SH,CCS,Fin";
      }
      st_ = sc_.cert_requested ? St::s_wait_certificate : St::s_wait_key_exchange;
      return sc_.cert_requested ? "SH,Cert,CR,SHD" : "SH,Cert,SHD";
    case St::s_wait_certificate:
      if (i != In::certificate) break;
      if (!sc_.client_cert && sc_.fail_if_no_peer_cert) return fatal("handshake_failure");
      sent_cert_ = sc_.client_cert;
      st_ = St::s_wait_key_exchange;
      return "-";
    case St::s_wait_key_exchange:
      if (i != In::client_key_exchange) break;
      st_ = sent_cert_ ? St::s_wait_cert_verify : St::s_wait_ccs;
      return "-";
    case St::s_wait_cert_verify:
      if (i != In::certificate_verify) break;
      st_ = St::s_wait_ccs;
      return "-";
    case St::s_wait_ccs:
      if (i != In::change_cipher_spec) break;
      st_ = St::s_wait_finished;
      return "-";
    // draft-agl-tls-nextprotoneg-04 3: when the server answered NPN, the client's NextProtocol comes
    // once, after its ChangeCipherSpec and before its Finished.
    case St::s_wait_finished:
      if (i == In::next_protocol && sc_.npn && !npn_done_) {
        npn_done_ = true;
        return "-";
      }
      if (i != In::finished || sc_.npn != npn_done_) break;
      st_ = St::connected;
      return "CCS,Fin";
    case St::s_abbr_wait_ccs:
      if (i != In::change_cipher_spec) break;
      st_ = St::s_abbr_wait_finished;
      return "-";
    case St::s_abbr_wait_finished:
      if (i == In::next_protocol && sc_.npn && !npn_done_) {
        npn_done_ = true;
        return "-";
      }
      if (i != In::finished || sc_.npn != npn_done_) break;
      st_ = St::connected;
      return "-";
    default: break;
  }
  return fatal("unexpected_message");
}

}  // namespace essl::model

// A reference Mealy machine of RFC 5246 (+ RFC 5746's binding of renegotiations, and the NextProtocol of
// draft-agl-tls-nextprotoneg-04) handshakes, written from the RFCs and independently of
// statemachine/table.cpp: the explorer compares the real Engine with it.
//
// Inputs are abstract messages from the peer; outputs are what the implementation answers, as text:
//   "-"                        nothing (the message was accepted or ignored)
//   "SH,Cert,CR,SHD"           the handshake messages (and "CCS") it sent, in order
//   "alert:<description>"      a fatal alert it sent; the connection is over
//   "warning:<description>"    a warning alert it sent; the connection goes on
//   "data"                     application data delivered to the user
//   "closed"                   it received a fatal alert; the connection is over
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace essl::model {

enum class In : uint8_t {
  client_hello,
  server_hello,
  certificate,
  server_key_exchange,
  certificate_request,
  server_hello_done,
  client_key_exchange,
  certificate_verify,
  next_protocol,
  change_cipher_spec,
  finished,
  application_data,
  alert,         // fatal handshake_failure
  hello_request,
  empty_record,  // a zero-length handshake record
  garbage,       // a record of an unknown content type
};
inline constexpr In all_inputs[] = {In::client_hello,       In::server_hello,       In::certificate,
                                    In::server_key_exchange, In::certificate_request, In::server_hello_done,
                                    In::client_key_exchange, In::certificate_verify, In::next_protocol,
                                    In::change_cipher_spec,  In::finished,           In::application_data,
                                    In::alert,              In::hello_request,      In::empty_record,
                                    In::garbage};
std::string_view in_name(In i);

// What is fixed for one exploration. The key exchange is RSA (no ServerKeyExchange).
struct Scenario {
  std::string name;
  bool test_client;            // the implementation under test is the client (the explorer plays server)
  bool cert_requested;         // the server sends CertificateRequest (server: verify_peer)
  bool client_cert;            // the client has a certificate to send when asked
  bool fail_if_no_peer_cert;   // server option
  bool resume;                 // the client offers a session the server accepts
  bool npn = false;            // server: the client asks for NPN and the server advertises protocols
};

class Reference {
 public:
  explicit Reference(const Scenario& s);
  std::string step(In i);
  bool over() const { return st_ == St::over; }
  std::string_view state() const;

 private:
  enum class St : uint8_t {
    // client
    c_wait_server_hello,
    c_wait_certificate,
    c_wait_request_or_done,  // RSA: no ServerKeyExchange (RFC 5246 7.4.3)
    c_wait_done,
    c_wait_ccs,
    c_wait_finished,
    c_abbr_wait_ccs,
    c_abbr_wait_finished,
    // server
    s_wait_client_hello,
    s_wait_certificate,
    s_wait_key_exchange,
    s_wait_cert_verify,
    s_wait_ccs,
    s_wait_finished,
    s_abbr_wait_ccs,
    s_abbr_wait_finished,
    connected,
    c_reneg_wait_server_hello,  // a HelloRequest answered with a new ClientHello
    over,
  };
  std::string fatal(std::string_view alert);
  std::string client(In i);
  std::string server(In i);

  Scenario sc_;
  St st_;
  bool sent_cert_ = false;  // server: the client's Certificate was not empty
  bool npn_done_ = false;   // server: the client's NextProtocol arrived
};

}  // namespace essl::model

// The one error type: what the spec returns as {error, Reason}.
#pragma once
#include <string>

#include "essl/alert.hpp"
#include "essl/result.hpp"

namespace essl {

struct Error {
  enum class Kind {
    tls_alert,  // {tls_alert, Description}: sent by us (local) or received from the peer
    closed,     // closed: the peer closed (close_notify or transport end)
    timeout,    // timeout
    options,    // {options, {Name, Value}}: `option` names it, `detail` says why
    transport,  // a transport error (errno text in `detail`)
    other,      // a spec atom in `detail`: renegotiation_rejected, protocol_not_negotiated, undefined, ...
  };
  Kind kind = Kind::other;
  AlertDescription alert = AlertDescription::internal_error;
  bool alert_sent = false;  // true: we generated the alert; false: the peer sent it
  std::string state;        // handshake state when the alert happened (hello, certify, cipher, connection ...)
  std::string option;
  std::string detail;

  static Error tls_alert(AlertDescription d, bool sent, std::string state = {}, std::string why = {}) {
    Error e;
    e.kind = Kind::tls_alert;
    e.alert = d;
    e.alert_sent = sent;
    e.state = std::move(state);
    e.detail = std::move(why);
    return e;
  }
  static Error closed() {
    Error e;
    e.kind = Kind::closed;
    return e;
  }
  static Error timeout() {
    Error e;
    e.kind = Kind::timeout;
    return e;
  }
  static Error options(std::string name, std::string why) {
    Error e;
    e.kind = Kind::options;
    e.option = std::move(name);
    e.detail = std::move(why);
    return e;
  }
  static Error transport(std::string why) {
    Error e;
    e.kind = Kind::transport;
    e.detail = std::move(why);
    return e;
  }
  static Error other(std::string atom) {
    Error e;
    e.kind = Kind::other;
    e.detail = std::move(atom);
    return e;
  }
  bool is_alert(AlertDescription d) const { return kind == Kind::tls_alert && alert == d; }
};

// Readable text for any error, like ssl:format_error/1.
// tls_alert: "TLS alert: unknown ca (sent by client in certify)"; options: "options error: {versions, ...}: why".
std::string format_error(const Error& e);

template <class T>
using Res = Result<T, Error>;

}  // namespace essl

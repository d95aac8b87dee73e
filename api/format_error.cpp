// format_error: readable text for every Error, like ssl:format_error/1.
#include "essl/error.hpp"

namespace essl {

std::string format_error(const Error& e) {
  std::string out;
  switch (e.kind) {
    case Error::Kind::tls_alert:
      // 7.3's text is the lower-case description ("unknown ca"); add who generated it and where.
      out = "TLS alert: " + std::string(alert_text(e.alert));
      out += e.alert_sent ? " (sent by us" : " (sent by the peer";
      if (!e.state.empty()) out += " in state " + e.state;
      out += ")";
      // The reason, as the spec's atom ("unknown_ca", "cert_expired", "{revoked,keyCompromise}"), even
      // where it repeats the alert's name: scripts look for it.
      if (!e.detail.empty()) out += ": " + e.detail;
      return out;
    case Error::Kind::closed: out = "TLS connection is closed"; break;
    case Error::Kind::timeout: out = "Timeout"; break;
    case Error::Kind::options:
      out = "options error: " + (e.option.empty() ? std::string("unknown option") : e.option);
      break;
    case Error::Kind::transport: out = "transport error"; break;
    case Error::Kind::other: out = "error: " + (e.detail.empty() ? std::string("unexpected") : e.detail); return out;
  }
  if (!e.detail.empty()) out += ": " + e.detail;
  return out;
}

}  // namespace essl

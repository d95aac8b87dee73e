// format_error: readable text for every Error, like ssl:format_error/1.
#include <array>
#include <utility>

#include "essl/error.hpp"

namespace essl {
namespace {

// The atoms essl returns as Error::other, and what they mean.
constexpr std::array<std::pair<std::string_view, std::string_view>, 15> atoms = {{
    {"already_renegotiating", "A renegotiation is already under way"},
    {"badarg", "Bad argument: the socket cannot be used for this"},
    {"einval", "Invalid argument"},
    {"emsgsize", "A packet is longer than packet_size allows"},
    {"handshake_not_complete", "The first handshake has not completed"},
    {"no_peercert", "The peer sent no certificate"},
    {"noport", "epmd does not know that node name (the node is not running there)"},
    {"not_allowed", "The other node refused the distribution handshake (its cookie differs, or it refuses our name)"},
    {"not_listening", "The node does not listen: call listen() first"},
    {"already_listening", "The node listens already"},
    {"not_connected", "The socket has not made a TLS connection yet (handshake first)"},
    {"not_owner", "Only the controlling process (the owning thread) may do this"},
    {"protocol_not_negotiated", "No application protocol was negotiated (ALPN or NPN)"},
    {"renegotiation_rejected", "The peer rejected the renegotiation"},
    {"undefined", "Undefined for this connection (SSL 3.0 has no PRF)"},
}};

// Errors that carry their reason after a prefix: "crl: ..." (the CRL cache), "bad_session: ..." (a session
// from the session cache callback that does not decode).
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> prefixes = {{
    {"crl: ", "CRL error: "},
    {"bad_session: ", "Bad session from the session cache: "},
}};

std::string other_text(const std::string& detail) {
  if (detail.empty()) return "Unexpected error";
  for (const auto& [atom, text] : atoms)
    if (detail == atom) return std::string(text) + " (" + detail + ")";
  for (const auto& [prefix, text] : prefixes)
    if (detail.starts_with(prefix)) return std::string(text) + detail.substr(prefix.size());
  // What a user's callback (a transport, the session cache) returned.
  return "Unexpected error: " + detail;
}

}  // namespace

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
    case Error::Kind::other: return other_text(e.detail);
  }
  if (!e.detail.empty()) out += ": " + e.detail;
  return out;
}

}  // namespace essl

// The replaceable logger and the alert log lines.
#include "api/logger.hpp"

#include <cctype>
#include <iostream>
#include <memory>
#include <mutex>

#include "essl/logger.hpp"

namespace essl {
namespace {

std::mutex logger_mu;
Logger current;  // empty: stderr

// The reference's description text: "unknown ca" -> "Unknown CA", "bad record mac" -> "Bad Record MAC".
std::string title(std::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.find(' ', start), text.size());
    std::string word(text.substr(start, end - start));
    if (word == "ca" || word == "mac" || word == "psk") {
      for (char& c : word) c = char(std::toupper(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      word[0] = char(std::toupper(static_cast<unsigned char>(word[0])));
    }
    if (!out.empty()) out += ' ';
    out += word;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::notice: return "notice";
    case LogLevel::warning: return "warning";
    case LogLevel::error: return "error";
  }
  return "error";
}

Logger set_logger(Logger logger) {
  std::lock_guard lock(logger_mu);
  std::swap(current, logger);
  return logger;
}

void log(LogLevel level, std::string_view line) {
  Logger logger;
  {
    std::lock_guard lock(logger_mu);
    logger = current;
  }
  if (logger) {
    logger(level, line);
    return;
  }
  std::lock_guard lock(logger_mu);  // whole lines on stderr
  std::cerr << line << '\n';
}

std::string detail::alert_log_line(Role role, const Error& alert) {
  const bool client = role == Role::client;
  // Who sent the alert: us when we generated it, else the peer.
  const bool from_client = alert.alert_sent == client;
  std::string line = client ? "TLS client: " : "TLS server: ";
  if (!alert.state.empty()) line += "In state " + alert.state + " ";
  line += alert.alert_sent ? "generated " : "received ";
  line += from_client ? "CLIENT ALERT: Fatal - " : "SERVER ALERT: Fatal - ";
  line += title(alert_text(alert.alert));
  if (!alert.detail.empty() && alert.detail != alert_atom(alert.alert)) line += " - " + alert.detail;
  return line;
}

void detail::log_alert(Role role, bool log_alert, const Error& e) {
  if (!log_alert || e.kind != Error::Kind::tls_alert) return;
  log(LogLevel::error, alert_log_line(role, e));
}

}  // namespace essl

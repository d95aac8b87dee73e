// Where the library reports what it logs: TLS alerts (the spec's error logger), unless log_alert is false.
//
//   essl::set_logger([](essl::LogLevel, std::string_view line) { my_log(line); });
//
// The default logger writes each line to stderr. A logger may be called from any thread that uses a
// socket, one call at a time per socket; it must not use the socket that logs.
#pragma once
#include <functional>
#include <string_view>

namespace essl {

enum class LogLevel { debug, info, notice, warning, error };
std::string_view log_level_name(LogLevel level);  // "debug", ..., "error"

using Logger = std::function<void(LogLevel level, std::string_view line)>;
// Replaces the logger for every connection; an empty function restores the default. Returns the previous
// one (the default as an empty function).
Logger set_logger(Logger logger);
// Hands one line (without a trailing newline) to the logger in force.
void log(LogLevel level, std::string_view line);

}  // namespace essl

// Fatal alerts: logged through the application's logger unless log_alert is false, and alert_timeout:
// after sending one the socket waits (in the background) for the peer to close.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <thread>

#include "api/logger.hpp"
#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

// Replaces the logger for one test and collects its lines.
class Lines {
 public:
  Lines() {
    previous_ = set_logger([this](LogLevel level, std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.push_back(std::string(log_level_name(level)) + " " + std::string(line));
    });
  }
  ~Lines() { set_logger(previous_); }
  std::vector<std::string> get() {
    std::lock_guard lock(mu_);
    return lines_;
  }

 private:
  Logger previous_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

// A client that does not trust the server's CA: it sends unknown_ca, the server receives it.
Attempt unknown_ca(bool client_logs, bool server_logs) {
  auto so = server_options();
  so.log_alert = server_logs;
  auto co = client_options("other-ca.pem");
  co.log_alert = client_logs;
  return attempt_pair(so, co);
}

TEST(LogAlert, AGeneratedFatalAlertIsOneLine) {
  Lines lines;
  auto a = unknown_ca(true, false);
  ASSERT_FALSE(a.connected);
  ASSERT_TRUE(a.connected.error().is_alert(AlertDescription::unknown_ca));
  EXPECT_EQ(lines.get(), std::vector<std::string>{"error TLS client: In state certify generated CLIENT ALERT: Fatal - Unknown CA"});
}

TEST(LogAlert, AReceivedFatalAlertNamesItsSender) {
  Lines lines;
  auto a = unknown_ca(false, true);
  ASSERT_FALSE(a.accepted.handshake_result);
  EXPECT_EQ(lines.get(), std::vector<std::string>{"error TLS server: In state certify received CLIENT ALERT: Fatal - Unknown CA"});
}

TEST(LogAlert, FalseLogsNothing) {
  Lines lines;
  auto a = unknown_ca(false, false);
  ASSERT_FALSE(a.connected);
  ASSERT_FALSE(a.accepted.handshake_result);
  EXPECT_TRUE(lines.get().empty());
}

TEST(LogAlert, TheLinesForOtherAlertsAndReasons) {
  using detail::alert_log_line;
  EXPECT_EQ(alert_log_line(Role::server, Error::tls_alert(AlertDescription::bad_record_mac, true, "connection")),
            "TLS server: In state connection generated SERVER ALERT: Fatal - Bad Record MAC");
  EXPECT_EQ(alert_log_line(Role::client, Error::tls_alert(AlertDescription::handshake_failure, false, "hello")),
            "TLS client: In state hello received SERVER ALERT: Fatal - Handshake Failure");
  // The reason follows when it says more than the description.
  EXPECT_EQ(alert_log_line(Role::client, Error::tls_alert(AlertDescription::handshake_failure, true, "certify",
                                                          "hostname_check_failed")),
            "TLS client: In state certify generated CLIENT ALERT: Fatal - Handshake Failure - hostname_check_failed");
  EXPECT_EQ(alert_log_line(Role::server, Error::tls_alert(AlertDescription::unknown_psk_identity, false)),
            "TLS server: received CLIENT ALERT: Fatal - Unknown PSK Identity");
}

TEST(LogAlert, TheDefaultLoggerIsRestoredByAnEmptyFunction) {
  int calls = 0;
  auto before = set_logger([&calls](LogLevel, std::string_view) { ++calls; });
  log(LogLevel::info, "to the replaced logger");
  EXPECT_EQ(calls, 1);
  auto mine = set_logger(before);
  EXPECT_TRUE(mine);
  ::testing::internal::CaptureStderr();
  log(LogLevel::info, "to stderr");
  const std::string err = ::testing::internal::GetCapturedStderr();
  set_logger(before);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(err, "to stderr\n");
}

// A raw TCP client of `port` that sends what is not TLS: the server answers with a fatal alert.
int raw_client(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Whether the server's descriptor is gone: a byte written to it now draws a reset, and the next write
// fails. While the server lingers it reads and drops the bytes.
bool peer_descriptor_closed(int fd) {
  const char byte = 'x';
  if (::send(fd, &byte, 1, MSG_NOSIGNAL) < 0) return true;
  std::this_thread::sleep_for(100ms);
  return ::send(fd, &byte, 1, MSG_NOSIGNAL) < 0 && (errno == EPIPE || errno == ECONNRESET);
}

// The server's alert reaches the raw client, then the end of the stream at once (the write side is shut),
// while the descriptor stays open `wait` long for the peer to close.
void expect_server_lingers(const Options& so, std::chrono::milliseconds wait) {
  SocketOptions sock;
  sock.ip = "127.0.0.1";
  auto ls = listen(0, so, sock);
  ASSERT_TRUE(ls);
  auto pending = accept_async(*ls);
  int fd = raw_client(ls->port());
  const std::string junk = "GET / HTTP/1.0\r\n\r\n";
  ASSERT_EQ(::send(fd, junk.data(), junk.size(), MSG_NOSIGNAL), ssize_t(junk.size()));
  auto a = pending.get();
  const auto failed_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(a.socket);
  ASSERT_FALSE(a.handshake_result);
  const Error& e = a.handshake_result.error();
  ASSERT_EQ(e.kind, Error::Kind::tls_alert) << format_error(e);
  EXPECT_TRUE(e.alert_sent);
  // The handshake returned without waiting: the wait happens in the background.
  std::vector<uint8_t> got;
  char buf[256];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.insert(got.end(), buf, buf + n);
  ASSERT_GE(got.size(), 7u);
  EXPECT_EQ(got[0], 21) << "an alert record";
  EXPECT_EQ(got[5], 2) << "fatal";
  EXPECT_LT(std::chrono::steady_clock::now() - failed_at, wait / 2) << "the end of stream comes at once";
  EXPECT_FALSE(peer_descriptor_closed(fd)) << "still waiting for us to close";
  std::this_thread::sleep_until(failed_at + wait + 500ms);
  EXPECT_TRUE(peer_descriptor_closed(fd)) << "alert_timeout is over";
  ::close(fd);
}

TEST(AlertTimeout, AfterAFatalAlertTheSocketWaitsForThePeerToClose) {
  auto so = server_options();
  so.alert_timeout = 600;
  so.log_alert = false;
  expect_server_lingers(so, 600ms);
}

TEST(AlertTimeout, TheApplicationsValueWhenTheOptionIsNotGiven) {
  AppConfig env;
  env.alert_timeout = 600ms;
  ASSERT_TRUE(set_app_config(env));
  auto so = server_options();
  so.log_alert = false;
  expect_server_lingers(so, 600ms);
  ASSERT_TRUE(set_app_config({}));
}

}  // namespace
}  // namespace essl::test

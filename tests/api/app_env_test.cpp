// The application environment from code (set_app_config), from a configuration file and from ESSL_<NAME>
// variables (load_app_config), and the application's alert_timeout as the connections' default.
#include <cstdlib>
#include <fstream>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

// Each test starts from the default configuration and leaves it so.
class AppEnv : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(set_app_config({})); }
  void TearDown() override { (void)set_app_config({}); }

  std::string write_file(const std::string& text) {
    std::string path = ::testing::TempDir() + "essl-app-env-" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".conf";
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(AppEnv, AlertTimeoutIsCheckedLikeTheOtherParameters) {
  AppConfig c;
  c.alert_timeout = std::chrono::milliseconds(-1);
  auto r = set_app_config(c);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::options);
  EXPECT_EQ(r.error().option, "alert_timeout");
  EXPECT_FALSE(app_config().alert_timeout) << "a bad value changes nothing";
  c.alert_timeout = std::chrono::milliseconds(250);
  ASSERT_TRUE(set_app_config(c));
  EXPECT_EQ(app_config().alert_timeout, std::chrono::milliseconds(250));
}

TEST_F(AppEnv, TheApplicationsAlertTimeoutIsTheDefaultOfConnections) {
  AppConfig c;
  c.alert_timeout = std::chrono::milliseconds(1234);
  ASSERT_TRUE(set_app_config(c));
  const InfoItem item[] = {InfoItem::alert_timeout};
  {
    auto p = connect_pair(server_options(), client_options());
    auto info = p.client.connection_information(item);
    ASSERT_TRUE(info && info->size() == 1);
    EXPECT_EQ(std::get<int>(info->front().value), 1234);
  }
  {
    // The option wins over the application's value.
    auto co = client_options();
    co.alert_timeout = 77;
    auto p = connect_pair(server_options(), co);
    auto info = p.client.connection_information(item);
    ASSERT_TRUE(info && info->size() == 1);
    EXPECT_EQ(std::get<int>(info->front().value), 77);
  }
}

TEST_F(AppEnv, AFileOfNameValueLines) {
  auto path = write_file(
      "# essl application configuration\n"
      "protocol_version = tlsv1.2, tlsv1.1\n"
      "session_lifetime = 600\n"
      "\n"
      "session_cache_client_max = 10   # per role\n"
      "session_cache_server_max=20\n"
      "ssl_pem_cache_clean = 30000\n"
      "alert_timeout = 2500\n"
      "session_cb_init_args = table=tls, owner = me\n");
  auto r = load_app_config(path, {});
  ASSERT_TRUE(r) << format_error(r.error());
  AppConfig c = app_config();
  EXPECT_EQ(c.protocol_version, (std::vector<Version>{Version::tlsv1_2, Version::tlsv1_1}));
  EXPECT_EQ(c.session_lifetime, std::chrono::seconds(600));
  EXPECT_EQ(c.session_cache_client_max, 10);
  EXPECT_EQ(c.session_cache_server_max, 20);
  EXPECT_EQ(c.ssl_pem_cache_clean, std::chrono::milliseconds(30000));
  EXPECT_EQ(c.alert_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.session_cb_init_args, (SessionCacheInitArgs{{"table", "tls"}, {"owner", "me"}}));
  EXPECT_EQ(versions().supported, (std::vector<Version>{Version::tlsv1_2, Version::tlsv1_1}));
}

TEST_F(AppEnv, VariablesOverrideTheFileAndOtherVariablesAreIgnored) {
  auto path = write_file("session_lifetime = 600\nalert_timeout = 2500\n");
  auto r = load_app_config(path, {"ESSL_SESSION_LIFETIME=60", "ESSL_SOURCE_ROOT=/src", "PATH=/bin",
                                  "ESSL_PROTOCOL_VERSION=tlsv1.2"});
  ASSERT_TRUE(r) << format_error(r.error());
  AppConfig c = app_config();
  EXPECT_EQ(c.session_lifetime, std::chrono::seconds(60));
  EXPECT_EQ(c.alert_timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(c.protocol_version, std::vector<Version>{Version::tlsv1_2});
}

TEST_F(AppEnv, WhatWasSetInCodeStaysUnlessNamed) {
  AppConfig base;
  base.session_cache_server_max = 5;
  ASSERT_TRUE(set_app_config(base));
  ASSERT_TRUE(load_app_config("", {"ESSL_ALERT_TIMEOUT=100"}));
  EXPECT_EQ(app_config().session_cache_server_max, 5);
  EXPECT_EQ(app_config().alert_timeout, std::chrono::milliseconds(100));
}

TEST_F(AppEnv, BadValuesNameTheParameterAndChangeNothing) {
  struct Case {
    std::string file;
    std::vector<std::string> env;
    std::string option;
  };
  const Case cases[] = {
      {"session_lifetime = soon\n", {}, "session_lifetime"},
      {"session_lifetime = -1\n", {}, "session_lifetime"},
      {"alert_timeout = 10ms\n", {}, "alert_timeout"},
      {"protocol_version = tlsv1.2, tlsv9\n", {}, "protocol_version"},
      {"protocol_version =\n", {}, "protocol_version"},
      {"session_cache_client_max = 0\n", {}, "session_cache_client_max"},
      {"session_cb_init_args = table\n", {}, "session_cb_init_args"},
      {"no_such_parameter = 1\n", {}, "no_such_parameter"},
      {"just a line\n", {}, "ESSL_CONFIG"},
      {"", {"ESSL_SSL_PEM_CACHE_CLEAN=often"}, "ssl_pem_cache_clean"},
      {"", {"ESSL_ALERT_TIMEOUT=-5"}, "alert_timeout"},
  };
  for (const auto& c : cases) {
    auto path = c.file.empty() ? std::string() : write_file(c.file);
    auto r = load_app_config(path, c.env);
    ASSERT_FALSE(r) << c.file;
    EXPECT_EQ(r.error().kind, Error::Kind::options) << c.file;
    EXPECT_EQ(r.error().option, c.option) << c.file << " " << format_error(r.error());
    AppConfig now = app_config();
    EXPECT_FALSE(now.session_lifetime || now.alert_timeout || now.protocol_version || now.ssl_pem_cache_clean ||
                 now.session_cache_client_max)
        << c.file;
  }
  auto missing = load_app_config("/no/such/essl.conf", {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().option, "ESSL_CONFIG");
  EXPECT_NE(format_error(missing.error()).find("/no/such/essl.conf"), std::string::npos);
}

TEST_F(AppEnv, FromTheProcessEnvironment) {
  auto path = write_file("session_lifetime = 600\nsession_cache_client_max = 3\n");
  ::setenv("ESSL_CONFIG", path.c_str(), 1);
  ::setenv("ESSL_SESSION_CACHE_CLIENT_MAX", "7", 1);
  auto r = load_app_config();
  ::unsetenv("ESSL_CONFIG");
  ::unsetenv("ESSL_SESSION_CACHE_CLIENT_MAX");
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(app_config().session_lifetime, std::chrono::seconds(600));
  EXPECT_EQ(app_config().session_cache_client_max, 7);
}

}  // namespace
}  // namespace essl::test

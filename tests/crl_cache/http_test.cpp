// The internal cache with {http, Timeout}: fetching distribution points from a loopback HTTP server,
// keeping what was fetched, refetching in fresh_crl, and every bad answer ending in not_available within
// the timeout.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "crl_cache/http_fetch.hpp"
#include "essl/verify.hpp"
#include "tests/crl_cache/crl_files.hpp"
#include "tests/crl_cache/http_server.hpp"

namespace essl {
namespace {

using namespace std::chrono_literals;
using test::CrlFiles;
using test::HttpServer;
namespace cache = ssl_crl_cache;
using Clock = std::chrono::steady_clock;

std::string text(const test::Bytes& b) { return std::string(b.begin(), b.end()); }

class CrlHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    clear();
    const std::string der = text(f.ca_empty), pem = text(test::read_bytes(f.ca_empty_pem));
    server.route("/ca.crl", [der](int fd, const auto&) {
      HttpServer::respond(fd, 200, der, "Content-Type: application/pkix-crl\r\n");
    });
    server.route("/ca-pem.crl", [pem](int fd, const auto&) { HttpServer::respond(fd, 200, pem); });
    server.route("/chunked.crl", [der](int fd, const auto&) {
      const size_t half = der.size() / 2;
      auto hex = [](size_t n) {
        char b[32];
        std::snprintf(b, sizeof b, "%zx", n);
        return std::string(b);
      };
      HttpServer::send_text(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                                    hex(half) + "\r\n" + der.substr(0, half) + "\r\n" + hex(der.size() - half) +
                                    "\r\n" + der.substr(half) + "\r\n0\r\n\r\n");
    });
    server.route("/eof.crl", [der](int fd, const auto&) { HttpServer::send_text(fd, "HTTP/1.0 200 OK\r\n\r\n" + der); });
    server.route("/redirect", [this](int fd, const auto&) {
      HttpServer::respond(fd, 302, "", "Location: " + server.url("/ca.crl") + "\r\n");
    });
    server.route("/redirect-loop", [](int fd, const auto&) { HttpServer::respond(fd, 302, "", "Location: /redirect-loop\r\n"); });
    server.route("/redirect-https", [this](int fd, const auto&) {
      HttpServer::respond(fd, 302, "", "Location: https://127.0.0.1:" + std::to_string(server.port()) + "/ca.crl\r\n");
    });
    server.route("/redirect-file", [](int fd, const auto&) { HttpServer::respond(fd, 302, "", "Location: file:///etc/hostname\r\n"); });
    server.route("/slow", [](int fd, const std::atomic<bool>& stop) {
      HttpServer::send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
      HttpServer::sleep_unless_stopped(5s, stop);
    });
    server.route("/drip", [](int fd, const std::atomic<bool>& stop) {
      HttpServer::send_text(fd, "HTTP/1.1 200 OK\r\n");
      for (int i = 0; i < 500 && !stop; ++i) {
        HttpServer::send_text(fd, "X");
        HttpServer::sleep_unless_stopped(10ms, stop);
      }
    });
    server.route("/garbage", [](int fd, const auto&) { HttpServer::send_text(fd, "\x16\x03\x01 not http at all\r\n\r\n"); });
    server.route("/not-crl", [](int fd, const auto&) { HttpServer::respond(fd, 200, "hello, world\n"); });
    server.route("/huge-length", [](int fd, const std::atomic<bool>& stop) {
      HttpServer::send_text(fd, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n0123456789");
      HttpServer::sleep_unless_stopped(5s, stop);
    });
    server.route("/huge-eof", [](int fd, const std::atomic<bool>& stop) {
      HttpServer::send_text(fd, "HTTP/1.0 200 OK\r\n\r\n");
      const std::string block(64 * 1024, 'A');
      for (int i = 0; i < 11 * 16 && !stop; ++i) HttpServer::send_text(fd, block);  // 11 MiB
    });
    server.route("/dyn.crl", [this](int fd, const auto&) {
      std::lock_guard lock(dyn_mu);
      if (dyn_status == 200) {
        HttpServer::respond(fd, 200, text(dyn_body));
      } else {
        HttpServer::respond(fd, dyn_status, "gone");
      }
    });
  }
  void TearDown() override { clear(); }
  void clear() { ASSERT_TRUE(cache::delete_(std::vector<Der>{f.ca_empty, f.ca_revoked, f.other}).ok()); }
  static DistributionPoint dp(std::vector<std::string> uris) { return DistributionPoint{std::move(uris), {}, {}}; }

  // lookup() that must end within `limit`.
  std::optional<std::vector<Der>> timed_lookup(CrlCache& c, const std::string& path, std::chrono::milliseconds limit) {
    const auto start = Clock::now();
    auto r = c.lookup(dp({server.url(path)}));
    const auto took = Clock::now() - start;
    EXPECT_LT(took, limit) << path << " took "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
    return r;
  }

  const CrlFiles& f = CrlFiles::get();
  HttpServer server;
  std::mutex dyn_mu;
  int dyn_status = 200;
  test::Bytes dyn_body;
};

TEST_F(CrlHttp, LookupFetchesOnceAndKeepsTheCrl) {
  auto c = cache::internal(2000ms);
  const std::string uri = server.url("/ca.crl");
  EXPECT_EQ(c->lookup(dp({uri})), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(server.hits("/ca.crl"), 1);
  EXPECT_EQ(c->lookup(dp({uri})), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(server.hits("/ca.crl"), 1);  // answered from the store
  // The store is the process's: a cache without http sees the fetched CRL, under its URI and its issuer.
  auto plain = cache::internal();
  EXPECT_EQ(plain->lookup(dp({uri})), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(plain->select(f.ca_subject), std::vector<Der>{f.ca_empty});
  ASSERT_TRUE(cache::delete_(uri).ok());
  EXPECT_EQ(plain->lookup(dp({uri})), std::nullopt);
}

TEST_F(CrlHttp, PemChunkedReadToEofAndRedirectedBodies) {
  auto c = cache::internal(2000ms);
  for (const char* path : {"/ca-pem.crl", "/chunked.crl", "/eof.crl", "/redirect"}) {
    EXPECT_EQ(c->lookup(dp({server.url(path)})), std::vector<Der>{f.ca_empty}) << path;
    ASSERT_TRUE(cache::delete_(server.url(path)).ok());
  }
  EXPECT_EQ(server.hits("/ca.crl"), 1);  // through the redirect
}

TEST_F(CrlHttp, WithoutHttpNothingIsFetched) {
  auto c = cache::internal();
  EXPECT_EQ(c->lookup(dp({server.url("/ca.crl")})), std::nullopt);
  EXPECT_EQ(server.hits("/ca.crl"), 0);
}

TEST_F(CrlHttp, LaterUrisAreTriedWhenEarlierOnesFail) {
  auto c = cache::internal(2000ms);
  const std::string good = server.url("/ca.crl");
  EXPECT_EQ(c->lookup(dp({"ldap://127.0.0.1/cn=crl", server.url("/missing"), server.url("/not-crl"), good})),
            std::vector<Der>{f.ca_empty});
  EXPECT_EQ(server.hits("/missing"), 1);
  EXPECT_EQ(server.hits("/not-crl"), 1);
  EXPECT_EQ(c->lookup(dp({good})), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(c->lookup(dp({server.url("/missing")})), std::nullopt);  // failures are not kept
  EXPECT_EQ(server.hits("/missing"), 2);
}

TEST_F(CrlHttp, BadAnswersAreNotAvailableAndStoreNothing) {
  auto c = cache::internal(2000ms);
  for (const char* path : {"/missing", "/garbage", "/not-crl", "/redirect-loop", "/redirect-https", "/redirect-file",
                           "/huge-length", "/huge-eof"}) {
    EXPECT_EQ(timed_lookup(*c, path, 4000ms), std::nullopt) << path;
  }
  EXPECT_LE(server.hits("/redirect-loop"), 4);  // the first request and at most three redirects
  EXPECT_EQ(server.hits("/ca.crl"), 0);          // the https redirect was not followed over plain http
  EXPECT_TRUE(c->select(f.ca_subject).empty());
}

TEST_F(CrlHttp, ConnectionRefusedIsNotAvailable) {
  // A port that was just free: bind, note it, close.
  int port = 0;
  {
    HttpServer gone;
    port = gone.port();
  }
  auto c = cache::internal(2000ms);
  const auto start = Clock::now();
  EXPECT_EQ(c->lookup(dp({"http://127.0.0.1:" + std::to_string(port) + "/ca.crl"})), std::nullopt);
  EXPECT_LT(Clock::now() - start, 3000ms);
}

TEST_F(CrlHttp, TimeoutBoundsSlowAndDrippingServers) {
  const auto timeout = 300ms;
  auto c = cache::internal(timeout);
  for (const char* path : {"/slow", "/drip"}) {
    const auto start = Clock::now();
    EXPECT_EQ(timed_lookup(*c, path, timeout + 1500ms), std::nullopt) << path;
    EXPECT_GE(Clock::now() - start, timeout / 2) << path << " failed before its timeout";
  }
  // fresh_crl is bounded the same way and then keeps what it was given.
  const auto start = Clock::now();
  EXPECT_EQ(c->fresh_crl(dp({server.url("/slow")}), {f.other}), std::vector<Der>{f.other});
  EXPECT_LT(Clock::now() - start, timeout + 1500ms);
}

TEST_F(CrlHttp, FreshCrlRefetchesAndReplacesTheStoredCrl) {
  {
    std::lock_guard lock(dyn_mu);
    dyn_body = f.ca_empty;
  }
  const std::string uri = server.url("/dyn.crl");
  auto c = cache::internal(2000ms);
  EXPECT_EQ(c->lookup(dp({uri})), std::vector<Der>{f.ca_empty});
  {
    std::lock_guard lock(dyn_mu);
    dyn_body = f.ca_revoked;
  }
  EXPECT_EQ(c->lookup(dp({uri})), std::vector<Der>{f.ca_empty});  // still the stored one
  EXPECT_EQ(server.hits("/dyn.crl"), 1);
  EXPECT_EQ(c->fresh_crl(dp({uri}), {f.ca_empty}), std::vector<Der>{f.ca_revoked});
  EXPECT_EQ(server.hits("/dyn.crl"), 2);
  EXPECT_EQ(c->lookup(dp({uri})), std::vector<Der>{f.ca_revoked});
  EXPECT_EQ(c->select(f.ca_subject), std::vector<Der>{f.ca_revoked});  // the old one was only filed there

  // A failed refetch keeps both the given CRLs and the stored ones.
  {
    std::lock_guard lock(dyn_mu);
    dyn_status = 404;
  }
  EXPECT_EQ(c->fresh_crl(dp({uri}), {f.ca_revoked}), std::vector<Der>{f.ca_revoked});
  EXPECT_EQ(c->lookup(dp({uri})), std::vector<Der>{f.ca_revoked});
  // Without http, fresh_crl does not fetch.
  EXPECT_EQ(cache::internal()->fresh_crl(dp({uri}), {f.other}), std::vector<Der>{f.other});
  EXPECT_EQ(server.hits("/dyn.crl"), 3);
}

TEST_F(CrlHttp, ConcurrentLookupsOfOneDistributionPoint) {
  const std::string uri = server.url("/ca.crl");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto c = cache::internal(2000ms);
      for (int i = 0; i < 20; ++i)
        if (c->lookup(dp({uri})) != std::vector<Der>{f.ca_empty}) ++wrong;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GE(server.hits("/ca.crl"), 1);
  EXPECT_LE(server.hits("/ca.crl"), 8);  // at most one fetch per thread before the store answers
}

TEST_F(CrlHttp, FetchFailuresSayWhy) {
  crl_cache::FetchLimits limits;
  limits.timeout = 300ms;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/missing", "http 404"},
      {"/garbage", "HTTP/0.9"},
      {"/redirect-loop", "redirects"},
      {"/redirect-https", "https"},
      {"/redirect-file", "file"},
      {"/huge-length", "body larger than 10485760 bytes"},
      {"/huge-eof", "body larger than 10485760 bytes"},
      {"/slow", "timeout"},
      {"/drip", "timeout"},
  };
  for (const auto& [path, why] : cases) {
    auto r = crl_cache::http_get(server.url(path), limits);
    ASSERT_FALSE(r.ok()) << path;
    EXPECT_NE(r.error().find(why), std::string::npos) << path << ": " << r.error();
  }
  EXPECT_FALSE(crl_cache::http_get("https://127.0.0.1/ca.crl", limits).ok());
  EXPECT_FALSE(crl_cache::http_get("file:///etc/hostname", limits).ok());
  EXPECT_TRUE(crl_cache::is_http_uri("HTTP://example.test/a.crl"));
  EXPECT_FALSE(crl_cache::is_http_uri("http://"));
  auto ok = crl_cache::http_get(server.url("/not-crl"), limits);
  ASSERT_TRUE(ok.ok()) << ok.error();
  EXPECT_EQ(text(*ok), "hello, world\n");
}

}  // namespace
}  // namespace essl

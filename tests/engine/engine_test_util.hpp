// Two engines pumped in memory, and helpers for certificates and alerts.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "statemachine/engine.hpp"

namespace essl::test {

inline std::string data_path(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

inline Options server_options(const std::string& leaf = "server-rsa") {
  Options o;
  o.certfile = data_path(leaf + ".pem");
  o.keyfile = data_path(leaf + "-key.pem");
  return o;
}

inline std::string describe(const Error& e) {
  return "kind=" + std::to_string(int(e.kind)) + " alert=" + std::string(alert_atom(e.alert)) +
         (e.alert_sent ? " sent" : " received") + " state=" + e.state + " option=" + e.option +
         " detail=" + e.detail;
}
inline std::string describe(const std::optional<Error>& e) { return e ? describe(*e) : "no error"; }

inline std::shared_ptr<const Config> make_config(Role role, const Options& o) {
  auto c = Config::make(role, o);
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : describe(c.error()));
  return c.ok() ? c.value() : nullptr;
}

struct Pair {
  Engine client;
  Engine server;
  size_t rounds = 0;

  Pair(std::shared_ptr<const Config> c, std::shared_ptr<const Config> s)
      : client(std::move(c), PeerId{"localhost", 4433}), server(std::move(s), PeerId{"127.0.0.1", 50000}) {}

  // Moves bytes both ways until neither side has anything to say (bounded).
  void pump() {
    for (rounds = 0; rounds < 100; ++rounds) {
      bool moved = false;
      if (!client.pending_output().empty()) {
        codec::Bytes b(client.pending_output().begin(), client.pending_output().end());
        client.consume_output(b.size());
        server.feed(b);
        moved = true;
      }
      if (!server.pending_output().empty()) {
        codec::Bytes b(server.pending_output().begin(), server.pending_output().end());
        server.consume_output(b.size());
        client.feed(b);
        moved = true;
      }
      if (!moved) return;
    }
  }

  void handshake() {
    client.start();
    server.start();
    pump();
  }
};

// The output is exactly one plaintext fatal alert record carrying `d`.
inline void expect_plain_fatal_alert(codec::ByteView out, AlertDescription d) {
  ASSERT_EQ(out.size(), 7u) << "expected one alert record";
  EXPECT_EQ(out[0], 21);  // alert
  EXPECT_EQ(out[1], 3);
  EXPECT_EQ(out[3], 0);
  EXPECT_EQ(out[4], 2);
  EXPECT_EQ(out[5], 2);  // fatal
  EXPECT_EQ(out[6], uint8_t(d)) << "alert " << int(out[6]);
}

inline void expect_sent(const Engine& e, AlertDescription d) {
  ASSERT_TRUE(e.error().has_value());
  EXPECT_EQ(e.error()->kind, Error::Kind::tls_alert) << describe(e.error());
  EXPECT_EQ(e.error()->alert, d) << describe(e.error());
  EXPECT_TRUE(e.error()->alert_sent);
}

inline void expect_received(const Engine& e, AlertDescription d) {
  ASSERT_TRUE(e.error().has_value());
  EXPECT_EQ(e.error()->kind, Error::Kind::tls_alert) << describe(e.error());
  EXPECT_EQ(e.error()->alert, d) << describe(e.error());
  EXPECT_FALSE(e.error()->alert_sent);
}

inline codec::Bytes take_output(Engine& e) {
  codec::Bytes b(e.pending_output().begin(), e.pending_output().end());
  e.consume_output(b.size());
  return b;
}

inline codec::Bytes take_app(Engine& e) {
  codec::Bytes b(e.app_data().begin(), e.app_data().end());
  e.consume_app_data(b.size());
  return b;
}

// n bytes of a pattern that differs with `seed`.
inline codec::Bytes pattern(size_t n, uint8_t seed) {
  codec::Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = uint8_t(i * 31 + seed);
  return b;
}

// Sends `data` from one end of `p` and checks that the other end receives exactly it.
inline void transfer(Pair& p, bool client_to_server, const codec::Bytes& data) {
  Engine& from = client_to_server ? p.client : p.server;
  Engine& to = client_to_server ? p.server : p.client;
  ASSERT_TRUE(from.send(data).ok());
  p.pump();
  EXPECT_EQ(take_app(to), data);
}

}  // namespace essl::test

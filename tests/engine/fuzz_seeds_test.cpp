// The engine fuzz targets' seeds: a whole handshake between the targets' own deterministic engines.
// Each side's input is captured; fed back to a fresh engine with the same seed it reaches `connection`.
// With ESSL_WRITE_ENGINE_SEEDS=<dir> set, the test (re)writes <dir>/engine_{server,client}/handshake.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fuzz/engine_fuzz.hpp"

namespace essl::test {
namespace {

struct Capture {
  codec::Bytes to_server, to_client;
};

Capture capture() {
  fuzz::FuzzEngine c(Role::client, fuzz::client_seed), s(Role::server, fuzz::server_seed);
  Capture cap;
  for (int i = 0; i < 10; ++i) {
    codec::ByteView co = c.engine->pending_output();
    cap.to_server.insert(cap.to_server.end(), co.begin(), co.end());
    s.engine->feed(co);
    c.engine->consume_output(co.size());
    codec::ByteView so = s.engine->pending_output();
    cap.to_client.insert(cap.to_client.end(), so.begin(), so.end());
    c.engine->feed(so);
    s.engine->consume_output(so.size());
  }
  EXPECT_TRUE(c.engine->handshake_done());
  EXPECT_TRUE(s.engine->handshake_done());
  const uint8_t hello[] = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_TRUE(c.engine->send(hello).ok());
  EXPECT_TRUE(s.engine->send(hello).ok());
  codec::ByteView co = c.engine->pending_output(), so = s.engine->pending_output();
  cap.to_server.insert(cap.to_server.end(), co.begin(), co.end());
  cap.to_client.insert(cap.to_client.end(), so.begin(), so.end());
  return cap;
}

TEST(EngineFuzzSeeds, CapturedHandshakeReplaysToConnection) {
  Capture cap = capture();
  fuzz::FuzzEngine s(Role::server, fuzz::server_seed);
  s.engine->feed(cap.to_server);
  EXPECT_TRUE(s.engine->handshake_done());
  EXPECT_EQ(s.engine->app_data().size(), 5u);
  fuzz::FuzzEngine c(Role::client, fuzz::client_seed);
  c.engine->consume_output(c.engine->pending_output().size());
  c.engine->feed(cap.to_client);
  EXPECT_TRUE(c.engine->handshake_done());
  EXPECT_EQ(c.engine->app_data().size(), 5u);

  if (const char* dir = std::getenv("ESSL_WRITE_ENGINE_SEEDS")) {
    for (auto [name, bytes] : {std::pair{"engine_server", &cap.to_server}, std::pair{"engine_client", &cap.to_client}}) {
      std::filesystem::path d = std::filesystem::path(dir) / name;
      std::filesystem::create_directories(d);
      std::ofstream f(d / "handshake", std::ios::binary);
      f.write(reinterpret_cast<const char*>(bytes->data()), std::streamsize(bytes->size()));
      // The first flight alone: a ClientHello / a ServerHello flight.
      std::ofstream g(d / "first_record", std::ios::binary);
      size_t first = 5 + (size_t((*bytes)[3]) << 8 | (*bytes)[4]);
      g.write(reinterpret_cast<const char*>(bytes->data()), std::streamsize(first));
    }
  }
}

}  // namespace
}  // namespace essl::test

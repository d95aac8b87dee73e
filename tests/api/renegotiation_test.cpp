// Socket::renegotiate over loopback: either side asks while the other only reads, data that arrives
// during the new handshake is kept for recv, and a refusal leaves the connection usable.
#include <future>

#include "loopback.hpp"

namespace essl::test {
namespace {

TEST(SocketRenegotiation, ClientAsksServerReadsDataKeepsFlowing) {
  Pair p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  ASSERT_TRUE(p.server.send("before").ok());
  // The server is in recv (its engine answers the ClientHello) while the client waits for the handshake.
  auto server_reads = std::async(std::launch::async, [&] { return p.server.recv(5, 10s); });
  const auto first = p.client.connection_information();
  auto r = p.client.renegotiate(10s);
  ASSERT_TRUE(r.ok()) << format_error(r.error());
  ASSERT_TRUE(p.client.send("after").ok());
  auto got = server_reads.get();
  ASSERT_TRUE(got.ok()) << format_error(got.error());
  EXPECT_EQ(text(*got), "after");
  // What the server sent before the renegotiation arrived during it and is still there.
  auto before = p.client.recv(6, 10s);
  ASSERT_TRUE(before.ok()) << format_error(before.error());
  EXPECT_EQ(text(*before), "before");
  auto now = p.client.connection_information();
  ASSERT_TRUE(first.ok() && now.ok());
  EXPECT_NE(now->client_random, first->client_random);
}

TEST(SocketRenegotiation, ServerAsksClientReads) {
  Pair p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  auto client_reads = std::async(std::launch::async, [&] { return p.client.recv(4, 10s); });
  auto r = p.server.renegotiate(10s);
  ASSERT_TRUE(r.ok()) << format_error(r.error());
  ASSERT_TRUE(p.server.send("done").ok());
  auto got = client_reads.get();
  ASSERT_TRUE(got.ok()) << format_error(got.error());
  EXPECT_EQ(text(*got), "done");
}

TEST(SocketRenegotiation, RefusedByClientRenegotiationFalse) {
  Options so = server_options();
  so.client_renegotiation = false;
  Pair p = connect_pair(so, client_options());
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  auto server_reads = std::async(std::launch::async, [&] { return p.server.recv(5, 10s); });
  auto r = p.client.renegotiate(10s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::other);
  EXPECT_EQ(r.error().detail, "renegotiation_rejected");
  // Still usable, both ways.
  ASSERT_TRUE(p.client.send("still").ok());
  auto got = server_reads.get();
  ASSERT_TRUE(got.ok()) << format_error(got.error());
  EXPECT_EQ(text(*got), "still");
  ASSERT_TRUE(p.server.send("yes").ok());
  auto back = p.client.recv(3, 10s);
  ASSERT_TRUE(back.ok()) << format_error(back.error());
  EXPECT_EQ(text(*back), "yes");
}

}  // namespace
}  // namespace essl::test

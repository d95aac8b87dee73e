// hibernate_after: an idle connection gives back the memory of its buffers and goes on working; without
// the option (undefined, the default) it keeps them; a negative value is an options error.
#include <thread>

#include "api/socket_impl.hpp"
#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

size_t buffer_bytes(const Socket& s) {
  std::lock_guard lock(s.impl()->mu);
  return s.impl()->buffer_bytes();
}

// Sends `n` bytes each way, so that both sides' buffers have grown as a busy connection's would.
void exchange(Pair& p, size_t n) {
  std::vector<uint8_t> bytes(n, 'x');
  ASSERT_TRUE(p.client.send(bytes));
  auto got = p.server.recv(n, 10s);
  ASSERT_TRUE(got) << format_error(got.error());
  ASSERT_EQ(got->size(), n);
  ASSERT_TRUE(p.server.send(bytes));
  got = p.client.recv(n, 10s);
  ASSERT_TRUE(got) << format_error(got.error());
  ASSERT_EQ(got->size(), n);
}

// Waits (at most 5 s) until the socket's buffers reserve nothing.
bool hibernates(const Socket& s) {
  for (int i = 0; i < 500; ++i) {
    if (buffer_bytes(s) == 0) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(Hibernate, AnIdleConnectionGivesBackItsBuffersAndGoesOn) {
  Options so = server_options(), co = client_options();
  so.hibernate_after = 50;
  co.hibernate_after = 50;
  auto p = connect_pair(so, co);
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  for (int round = 0; round < 2; ++round) {
    exchange(p, 100000);
    if (HasFatalFailure()) return;
    EXPECT_TRUE(hibernates(p.client)) << "client still holds " << buffer_bytes(p.client) << " bytes";
    EXPECT_TRUE(hibernates(p.server)) << "server still holds " << buffer_bytes(p.server) << " bytes";
  }
  // Hibernation loses nothing: data sent to a hibernating socket is all there.
  ASSERT_TRUE(p.server.send("after"));
  auto got = p.client.recv(5, 10s);
  ASSERT_TRUE(got) << format_error(got.error());
  EXPECT_EQ(text(*got), "after");
}

TEST(Hibernate, PendingDataStaysThroughHibernation) {
  Options so = server_options(), co = client_options();
  co.hibernate_after = 20;
  auto p = connect_pair(so, co);
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  // Bytes the client has read in but the application has not taken stay in the buffers.
  std::vector<uint8_t> bytes(50000, 'y');
  ASSERT_TRUE(p.server.send(bytes));
  auto first = p.client.recv(10000, 10s);
  ASSERT_TRUE(first) << format_error(first.error());
  std::this_thread::sleep_for(200ms);
  auto rest = p.client.recv(40000, 10s);
  ASSERT_TRUE(rest) << format_error(rest.error());
  EXPECT_EQ(rest->size(), 40000u);
  EXPECT_TRUE(std::all_of(rest->begin(), rest->end(), [](uint8_t b) { return b == 'y'; }));
}

TEST(Hibernate, UndefinedKeepsTheBuffers) {
  auto p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  exchange(p, 100000);
  if (HasFatalFailure()) return;
  const size_t held = buffer_bytes(p.client);
  EXPECT_GT(held, 0u);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(buffer_bytes(p.client), held);
}

TEST(Hibernate, ANegativeValueIsAnOptionsError) {
  Options o = client_options();
  o.hibernate_after = -1;
  auto r = connect("127.0.0.1", 1, o, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::options);
  EXPECT_NE(format_error(r.error()).find("hibernate_after"), std::string::npos) << format_error(r.error());
}

}  // namespace
}  // namespace essl::test

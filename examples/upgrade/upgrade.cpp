// The User's Guide upgrade example on loopback, both sides in one process: a plain TCP connection
// (gen_tcp:listen/accept, gen_tcp:connect) upgraded to TLS (ssl:ssl_accept on the server's socket,
// ssl:connect on the client's), a message over TLS that the server's owner receives once it sets
// {active, true} (steps 9 and 10), then the downgrade back to plain TCP (ssl:close(Socket, {Pid, Timeout})).
//
//   essl-example-upgrade [CERT_DIR]    (CERT_DIR holds ca.pem, server-rsa.pem, server-rsa-key.pem;
//                                       default: $ESSL_SOURCE_ROOT/tests/data)
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>

#include "essl/essl.hpp"

namespace {

using namespace std::chrono_literals;

std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

int die(const char* who, const char* what, const essl::Error& e) {
  std::printf("%s> %s: {error, %s}\n", who, what, essl::format_error(e).c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    const char* root = std::getenv("ESSL_SOURCE_ROOT");
    dir = std::string(root ? root : ".") + "/tests/data";
  }

  // Step 1: ssl:start().
  if (auto r = essl::start(); !r) return die("server", "ssl:start()", r.error());
  std::printf("server> ssl:start().\nok\n");

  // Step 2: a normal TCP listen socket.
  essl::SocketOptions sock;
  sock.ip = "127.0.0.1";
  sock.reuseaddr = true;
  auto ls = essl::tcp_listen(0, sock);
  if (!ls) return die("server", "gen_tcp:listen", ls.error());
  const uint16_t port = (*ls)->port();
  std::printf("server> {ok, ListenSocket} = gen_tcp:listen(%u, [{reuseaddr, true}]).\n", port);

  std::promise<void> downgrade_ready;
  auto downgrade_ready_seen = downgrade_ready.get_future();
  // The server side runs on its own thread: Step 3 accepts, Step 6 upgrades, Step 9-10 read.
  auto server = std::async(std::launch::async, [&]() -> int {
    auto plain = (*ls)->accept(10s);
    if (!plain) return die("server", "gen_tcp:accept", plain.error());
    std::printf("server> {ok, Socket} = gen_tcp:accept(ListenSocket).\n");
    // Step 5: the plain socket is passive ({active, false}); the TLS socket owns it from here on.
    essl::TransportOptions passive;
    passive.active = false;
    if (auto r = (*plain)->setopts(passive); !r) return die("server", "inet:setopts", r.error());
    std::printf("server> inet:setopts(Socket, [{active, false}]).\nok\n");
    essl::Options opts;
    opts.cacertfile = dir + "/ca.pem";
    opts.certfile = dir + "/server-rsa.pem";
    opts.keyfile = dir + "/server-rsa-key.pem";
    auto tls = essl::ssl_accept(std::move(*plain), opts, 10s);
    if (!tls) return die("server", "ssl:ssl_accept", tls.error());
    std::printf("server> {ok, SSLSocket} = ssl:ssl_accept(Socket, [...]).\n");
    // Step 9: the upgraded socket inherited {active, false} from the TCP socket; now the data comes to
    // this thread's mailbox.
    essl::SocketOpts active;
    active.active = true;
    if (auto r = tls->setopts(active); !r) return die("server", "ssl:setopts", r.error());
    std::printf("server> ssl:setopts(SSLSocket, [{active, true}]).\nok\n");
    // Step 10: flush(), once the message is here (up to 10 s).
    auto got = essl::self()->receive(tls->id(), 10s);
    std::printf("server> flush().\n");
    if (got) std::printf("Shell got %s\n", got->to_string().c_str());
    std::printf("ok\n");
    if (!got || got->kind != essl::Event::Kind::data || got->data != std::string_view("foo") ||
        got->data.mode != essl::Mode::list) {
      std::printf("expected {ssl, SSLSocket, \"foo\"}\n");
      return 1;
    }
    // Before the downgrade the server stops active delivery: an active socket would take the client's
    // close_notify as {ssl_closed, SSLSocket} and close, and ssl:close/2 would find it closed.
    essl::SocketOpts stop_active;
    stop_active.active = false;
    if (auto r = tls->setopts(stop_active); !r) return die("server", "ssl:setopts", r.error());
    std::printf("server> ssl:setopts(SSLSocket, [{active, false}]).\nok\n");
    std::fflush(stdout);
    downgrade_ready.set_value();
    // Back to plain TCP: ssl:close(SSLSocket, {self(), Timeout}).
    auto back = tls->close(essl::self(), 10s);
    if (!back) return die("server", "ssl:close", back.error());
    std::printf("server> {ok, Port} = ssl:close(SSLSocket, {self(), 10000}).\n");
    auto plain_msg = (*back)->recv(0, 10s);
    if (!plain_msg) return die("server", "gen_tcp:recv", plain_msg.error());
    std::printf("server> gen_tcp:recv(Port, 0).\n{ok, \"%s\"}\n", text(*plain_msg).c_str());
    return 0;
  });

  // Step 4: the client's TCP connection.
  auto plain = essl::tcp_connect("localhost", port, essl::infinity);
  if (!plain) return die("client", "gen_tcp:connect", plain.error());
  std::printf("client> {ok, Socket} = gen_tcp:connect(\"localhost\", %u, [], infinity).\n", port);

  // Step 7: the upgrade (the server called ssl_accept first; the client's ClientHello waits for it anyway).
  essl::Options copts;
  copts.cacertfile = dir + "/ca.pem";
  copts.verify = essl::Verify::verify_peer;
  copts.server_name_indication = std::string("localhost");
  auto tls = essl::connect(std::move(*plain), copts, essl::infinity);
  if (!tls) return die("client", "ssl:connect", tls.error());
  std::printf("client> {ok, SSLSocket} = ssl:connect(Socket, [...], infinity).\n");

  // Step 8: a message over TLS.
  std::printf("client> ssl:send(SSLSocket, \"foo\").\n");
  std::fflush(stdout);
  if (auto r = tls->send("foo"); !r) return die("client", "ssl:send", r.error());

  // Both sides agree on the downgrade: the client starts it once the server is ready for it.
  if (downgrade_ready_seen.wait_for(10s) != std::future_status::ready) {
    std::printf("client> the server did not get ready for the downgrade\n");
    return 1;
  }
  auto back = tls->close(essl::self(), 10s);
  if (!back) return die("client", "ssl:close", back.error());
  std::printf("client> {ok, Port} = ssl:close(SSLSocket, {self(), 10000}).\n");
  std::string bar = "bar in plaintext";
  std::printf("client> gen_tcp:send(Port, \"%s\").\n", bar.c_str());
  std::fflush(stdout);
  if (auto r = (*back)->send(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bar.data()), bar.size())); !r)
    return die("client", "gen_tcp:send", r.error());

  int rc = server.get();
  essl::stop();
  return rc;
}

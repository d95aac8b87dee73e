// The User's Guide minimal example on loopback, both sides in one process: an SSL listen socket
// (ssl:listen, transport_accept, ssl_accept), a client with the default options (ssl:connect with [],
// so {active, true} and {mode, list}), the server sends "foo", and the client's owner (its thread's
// mailbox) shows what it received, as the shell's flush() does.
//
//   essl-example-minimal [CERT_DIR]    (CERT_DIR holds server-rsa.pem and server-rsa-key.pem;
//                                       default: $ESSL_SOURCE_ROOT/tests/data)
//
// Exits 0 when the owner got exactly {ssl, Socket, "foo"} from the client's socket.
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>

#include "essl/essl.hpp"

namespace {

using namespace std::chrono_literals;

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

  // Step 2: an SSL listen socket (port 0: the system picks one, printed here).
  essl::Options opts;
  opts.certfile = dir + "/server-rsa.pem";
  opts.keyfile = dir + "/server-rsa-key.pem";
  essl::SocketOptions sock;
  sock.ip = "127.0.0.1";
  sock.reuseaddr = true;
  auto ls = essl::listen(0, opts, sock);
  if (!ls) return die("server", "ssl:listen", ls.error());
  const uint16_t port = ls->port();
  std::printf("server> {ok, ListenSocket} = ssl:listen(%u, [{certfile, ...}, {keyfile, ...}, {reuseaddr, true}]).\n",
              port);

  // The server side on its own thread: Step 3 transport_accept, Step 5 ssl_accept, Step 6 send.
  auto server = std::async(std::launch::async, [&]() -> int {
    auto s = ls->transport_accept(10s);
    if (!s) return die("server", "ssl:transport_accept", s.error());
    std::printf("server> {ok, Socket} = ssl:transport_accept(ListenSocket).\n");
    if (auto r = essl::ssl_accept(*s, 10s); !r) return die("server", "ssl:ssl_accept", r.error());
    std::printf("server> ok = ssl:ssl_accept(Socket).\n");
    if (auto r = s->send("foo"); !r) return die("server", "ssl:send", r.error());
    std::printf("server> ssl:send(Socket, \"foo\").\nok\n");
    std::fflush(stdout);
    // The socket stays open until the client has read and closed: the server's owner (this thread) then
    // gets {ssl_closed, Socket}.
    auto closed = essl::self()->receive(s->id(), 10s);
    return closed && closed->kind == essl::Event::Kind::closed ? 0 : 1;
  });

  // Step 4: the client side, default options.
  auto s = essl::connect("localhost", port, essl::Options{}, essl::infinity);
  if (!s) return die("client", "ssl:connect", s.error());
  std::printf("client> {ok, Socket} = ssl:connect(\"localhost\", %u, [], infinity).\n", port);

  // Step 7: flush(). The data may still be on its way, so wait for the first message (up to 10 s), then
  // take everything else queued.
  std::vector<essl::Event> got;
  if (auto first = essl::self()->receive(10s)) got.push_back(std::move(*first));
  for (auto& e : essl::self()->flush()) got.push_back(std::move(e));
  std::printf("client> flush().\n");
  for (const auto& e : got) std::printf("Shell got %s\n", e.to_string().c_str());
  std::printf("ok\n");

  const bool as_expected = got.size() == 1 && got[0].kind == essl::Event::Kind::data && got[0].socket == s->id() &&
                           got[0].data == std::string_view("foo") && got[0].data.mode == essl::Mode::list;
  (void)s->close();
  int rc = server.get();
  essl::stop();
  if (!as_expected) std::printf("expected exactly {ssl, Socket, \"foo\"} from the client's socket\n");
  return as_expected ? rc : 1;
}

// essl::asio::stream: an asynchronous TLS echo server and a client on one io_context, over loopback.
// The server accepts one connection, echoes what it reads until the client's close_notify, then shuts
// down; the client verifies the server against the CA, sends a line, reads it back and shuts down.
//
//   essl-example-asio [CERT_DIR]    (CERT_DIR holds ca.pem, server-rsa.pem and server-rsa-key.pem;
//                                    default: $ESSL_SOURCE_ROOT/tests/data)
//
// Exits 0 when the client got its line back and both shutdowns completed.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>

#include "essl/asio.hpp"
#include "essl/essl.hpp"

namespace {

using tcp = asio::ip::tcp;
using Stream = essl::asio::stream<tcp::socket>;

// One server connection: read, echo, until the peer's close_notify (eof), then shut down.
struct Session : std::enable_shared_from_this<Session> {
  Session(tcp::socket s, const essl::TlsConfig& cfg) : stream(std::move(s), cfg) {}
  Stream stream;
  std::array<char, 4096> buf{};

  void start() {
    stream.async_handshake(Stream::server, [self = shared_from_this()](std::error_code ec) {
      if (ec) return std::printf("server> handshake: %s\n", ec.message().c_str()), void();
      std::printf("server> handshake done\n");
      self->read();
    });
  }
  void read() {
    stream.async_read_some(asio::buffer(buf), [self = shared_from_this()](std::error_code ec, size_t n) {
      if (ec == asio::error::eof) {
        self->stream.async_shutdown([self](std::error_code sec) {
          std::printf("server> shutdown: %s\n", sec ? sec.message().c_str() : "ok");
        });
        return;
      }
      if (ec) return std::printf("server> read: %s\n", ec.message().c_str()), void();
      asio::async_write(self->stream, asio::buffer(self->buf.data(), n), [self](std::error_code wec, size_t) {
        if (!wec) self->read();
      });
    });
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    const char* root = std::getenv("ESSL_SOURCE_ROOT");
    dir = std::string(root ? root : ".") + "/tests/data";
  }
  essl::Options server_opts;
  server_opts.certfile = dir + "/server-rsa.pem";
  server_opts.keyfile = dir + "/server-rsa-key.pem";
  essl::Options client_opts;
  client_opts.cacertfile = dir + "/ca.pem";
  client_opts.verify = essl::Verify::verify_peer;
  auto scfg = essl::TlsConfig::server(server_opts);
  auto ccfg = essl::TlsConfig::client(client_opts);
  if (!scfg || !ccfg) {
    std::printf("options: %s\n", essl::format_error(!scfg ? scfg.error() : ccfg.error()).c_str());
    return 1;
  }

  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  acceptor.async_accept([&](std::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<Session>(std::move(s), *scfg)->start();
  });

  const uint16_t port = acceptor.local_endpoint().port();
  Stream client(io, *ccfg, "localhost", port);
  const std::string line = "hello, asio\n";
  std::array<char, 64> reply{};
  std::string got;
  bool shut = false;
  client.next_layer().async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), [&](std::error_code ec) {
    if (ec) return std::printf("client> connect: %s\n", ec.message().c_str()), void();
    client.async_handshake(Stream::client, [&](std::error_code hec) {
      if (hec) return std::printf("client> handshake: %s\n", hec.message().c_str()), void();
      auto info = client.native_handle().connection_information();
      std::printf("client> handshake done: %s\n", info ? std::string(essl::version_atom(*info->protocol)).c_str() : "?");
      asio::async_write(client, asio::buffer(line), [&](std::error_code wec, size_t) {
        if (wec) return std::printf("client> write: %s\n", wec.message().c_str()), void();
        asio::async_read(client, asio::buffer(reply.data(), line.size()), [&](std::error_code rec, size_t n) {
          if (rec) return std::printf("client> read: %s\n", rec.message().c_str()), void();
          got.assign(reply.data(), n);
          std::printf("client> got back: %s", got.c_str());
          client.async_shutdown([&](std::error_code sec) {
            std::printf("client> shutdown: %s\n", sec ? sec.message().c_str() : "ok");
            shut = !sec;
          });
        });
      });
    });
  });
  io.run_for(std::chrono::seconds(20));
  return got == line && shut ? 0 : 1;
}

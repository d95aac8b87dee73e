// An essl server and an essl client over loopback, for the API tests.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>
#include <string>

#include "essl/essl.hpp"

namespace essl::test {

using namespace std::chrono_literals;

inline std::string data_file(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

inline Options server_options(const std::string& cert = "server-rsa") {
  Options o;
  o.certfile = data_file(cert + ".pem");
  o.keyfile = data_file(cert + "-key.pem");
  return o;
}

inline Options client_options(const std::string& ca = "ca.pem") {
  Options o;
  o.cacertfile = data_file(ca);
  o.verify = Verify::verify_peer;
  return o;
}

inline std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

// The server's side of one connection, run on another thread: accept and handshake.
struct Accepted {
  Res<Socket> socket = fail(Error::other("not run"));
  Result<void, Error> handshake_result = fail(Error::other("not run"));
};

inline std::future<Accepted> accept_async(ListenSocket& ls) {
  return std::async(std::launch::async, [&ls] {
    Accepted a;
    a.socket = ls.transport_accept(10s);
    if (a.socket) a.handshake_result = handshake(*a.socket, 10s);
    return a;
  });
}

struct Pair {
  ListenSocket ls;
  Socket server, client;
};

// A connected pair; failures are reported and leave the sockets closed.
inline Pair connect_pair(const Options& server_opts, const Options& client_opts, const std::string& ip = "127.0.0.1") {
  Pair p;
  SocketOptions sock;
  sock.ip = ip;
  auto ls = listen(0, server_opts, sock);
  if (!ls) {
    ADD_FAILURE() << "listen: " << format_error(ls.error());
    return p;
  }
  p.ls = std::move(*ls);
  auto pending = accept_async(p.ls);
  auto c = connect(ip, p.ls.port(), client_opts, 10s);
  auto a = pending.get();
  if (!c) ADD_FAILURE() << "connect: " << format_error(c.error());
  if (!a.socket) ADD_FAILURE() << "accept: " << format_error(a.socket.error());
  else if (!a.handshake_result) ADD_FAILURE() << "handshake: " << format_error(a.handshake_result.error());
  if (c) p.client = std::move(*c);
  if (a.socket && a.handshake_result) p.server = std::move(*a.socket);
  return p;
}

}  // namespace essl::test
